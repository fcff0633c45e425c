// riskcap margin import: a CSV or JSON file of margin reports, streamed through
// MarginService.SubmitMargins.
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/errors.h"
#include "client/margin_import.h"
#include "client/progress.h"
#include "client/upload_stream.h"
#include "core/status_macros.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "protos/rows/row_reader.h"

namespace riskcap::client {
namespace {

// SubmitMargins processes a call's rows one after another, so rows go in many small calls with
// several in flight: their commits then share the server's group commits.
constexpr int kRowsPerCall = 200;
constexpr size_t kCallsInFlight = 32;
constexpr int kMaxErrorLines = 20;

using Stream = UploadStream<v1::SubmitMarginsRequest, v1::SubmitMarginsResponse>;

// One SubmitMargins call over rows `indices` of the file, run on its own thread.
struct Call {
  v1::SubmitMarginsRequest request;
  std::vector<int64_t> indices;
  absl::StatusOr<v1::SubmitMarginsResponse> response;
  std::thread thread;
};

// Sends rows as they are read and records each row's outcome in `rows` (indexed by row). Only
// the reading thread touches `rows`; call threads fill their own Call.
class Importer {
 public:
  Importer(const ServiceClient<v1::MarginService>& margin, std::vector<ImportedRow>& rows,
           Progress& progress)
      : margin_(margin), rows_(rows), progress_(progress) {}
  ~Importer() {
    for (auto& call : calls_) call->thread.join();
  }

  // Takes row `index`; its request id is already in rows_[index].
  absl::Status Add(int64_t index, const v1::SubmitMarginRequest& row) {
    if (!next_) next_ = std::make_unique<Call>();
    *next_->request.add_submissions() = row;
    next_->indices.push_back(index);
    if (next_->request.submissions_size() >= kRowsPerCall) return Dispatch();
    return absl::OkStatus();
  }

  // Sends what is left and waits for every call.
  absl::Status Finish() {
    if (next_) RETURN_IF_ERROR(Dispatch());
    while (!calls_.empty()) RETURN_IF_ERROR(CollectOldest());
    return absl::OkStatus();
  }

 private:
  absl::Status Dispatch() {
    if (calls_.size() >= kCallsInFlight) RETURN_IF_ERROR(CollectOldest());
    Call* call = next_.get();
    call->thread = std::thread([this, call] {
      Stream stream(margin_.connection, [this](grpc::ClientContext* c, auto* response) {
        return margin_.stub->SubmitMargins(c, response);
      });
      absl::Status written = stream.Write(call->request);
      call->response = written.ok() ? stream.Finish() : written;
    });
    calls_.push_back(std::move(next_));
    return absl::OkStatus();
  }

  absl::Status CollectOldest() {
    std::unique_ptr<Call> call = std::move(calls_.front());
    calls_.pop_front();
    call->thread.join();
    if (!call->response.ok()) return call->response.status();
    const v1::SubmitMarginsResponse& response = *call->response;
    if (response.results_size() != static_cast<int>(call->indices.size())) {
      return absl::InternalError(absl::StrCat("the server answered ", response.results_size(),
                                              " results for ", call->indices.size(), " rows"));
    }
    for (const v1::SubmitMarginResult& result : response.results()) {
      ImportedRow& row = rows_[call->indices[result.index()]];
      if (result.has_receipt()) {
        row.receipt = result.receipt();
      } else {
        row.status = BatchItemStatus(result.error());
      }
    }
    progress_.Add(static_cast<int64_t>(call->indices.size()));
    return absl::OkStatus();
  }

  const ServiceClient<v1::MarginService>& margin_;
  std::vector<ImportedRow>& rows_;
  Progress& progress_;
  std::unique_ptr<Call> next_;
  std::deque<std::unique_ptr<Call>> calls_;
};

// Summary and the first errors on stderr; a failure status when any row failed.
absl::Status Summarize(const std::vector<ImportedRow>& rows) {
  int64_t failed = 0, replayed = 0;
  const absl::Status* first = nullptr;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].status.ok()) {
      replayed += rows[i].receipt.replayed() ? 1 : 0;
      continue;
    }
    if (first == nullptr) first = &rows[i].status;
    if (++failed <= kMaxErrorLines) {
      std::cerr << "riskcap: row " << i + 1 << " (" << rows[i].request_id
                << "): " << DescribeError(rows[i].status) << "\n";
    }
  }
  if (failed > kMaxErrorLines) std::cerr << "riskcap: ... " << failed - kMaxErrorLines << " more\n";
  std::cerr << "margin import: " << rows.size() << " rows, " << rows.size() - failed
            << " accepted (" << replayed << " replayed), " << failed << " rejected\n";
  if (first == nullptr) return absl::OkStatus();
  // The exit code is the first rejected row's (3 for a bad field, 4 for an unknown fund, ...).
  return absl::Status(first->code(),
                      absl::StrCat(failed, " of ", rows.size(),
                                   " rows rejected (first: ", DescribeError(*first), ")"));
}

absl::Status Import(const CommandContext& context, const std::string& path) {
  ASSIGN_OR_RETURN(auto margin, context.Open<v1::MarginService>());
  Progress progress("margin import", 0);
  if (progress.enabled()) {
    ASSIGN_OR_RETURN(int64_t total, rows::CountRowsFile(path, rows::StreamedFileLimits()));
    progress.set_total(total);
  }
  std::vector<ImportedRow> rows;
  Importer importer(margin, rows, progress);
  RETURN_IF_ERROR(rows::ReadRowsFile(
      path, v1::SubmitMarginRequest::default_instance(), rows::StreamedFileLimits(),
      [&](int64_t index, const absl::Status& row_status, google::protobuf::Message& message) {
        auto& row = static_cast<v1::SubmitMarginRequest&>(message);
        if (row.request_id().empty()) row.set_request_id(DerivedRequestId(path, index));
        rows.push_back({row.request_id(), row_status, {}});
        if (!row_status.ok()) return absl::OkStatus();  // reported with the results
        return importer.Add(index, row);
      }));
  RETURN_IF_ERROR(importer.Finish());
  progress.Finish();
  context.Print(ImportTable(rows));
  return Summarize(rows);
}

}  // namespace

void AddMarginImport(CLI::App& margin, CommandContext& context) {
  CLI::App* cmd = AddCommand(
      margin, "import",
      "Submit every margin report in a CSV or JSON file (columns: fund_id, reference_date,\n"
      "local_margin, offshore_margin, methodology and optionally request_id). A row without\n"
      "request_id gets \"<file name>:<row number>\", so importing the same file again replays\n"
      "instead of duplicating. Each row succeeds or fails on its own; prints one result per row,\n"
      "a summary on stderr, and exits with the first failed row's exit code",
      "riskcap margin import margins-2026-11-20.csv -o csv > receipts.csv");
  auto path = std::make_shared<std::string>();
  cmd->add_option("file", *path, "a .csv file, or a JSON file {\"rows\": [...]}")->required();
  context.SetAction(cmd, [&context, path] { return Import(context, *path); });
}

}  // namespace riskcap::client
