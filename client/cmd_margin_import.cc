// riskcap margin import: a CSV or JSON file of margin reports, streamed through
// MarginService.SubmitMargins in calls of at most 10,000 rows.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/errors.h"
#include "client/margin_import.h"
#include "client/progress.h"
#include "client/row_reader.h"
#include "client/upload_stream.h"
#include "core/status_macros.h"
#include "riskcap/v1/margin.grpc.pb.h"

namespace riskcap::client {
namespace {

constexpr int kRowsPerCall = 10000;  // the server's batch limit
constexpr int kRowsPerMessage = 500;
constexpr int kMaxErrorLines = 20;

using Stream = UploadStream<v1::SubmitMarginsRequest, v1::SubmitMarginsResponse>;

// Sends rows as they are read, one SubmitMargins call per kRowsPerCall rows, and records each
// row's outcome in `rows` (indexed by row).
class Importer {
 public:
  Importer(const ServiceClient<v1::MarginService>& margin, std::vector<ImportedRow>& rows,
           Progress& progress)
      : margin_(margin), rows_(rows), progress_(progress) {}

  // Takes row `index`; its id and any local error are already in rows_[index].
  absl::Status Add(int64_t index, const v1::SubmitMarginRequest& row) {
    if (!stream_) {
      stream_.emplace(margin_.connection, [this](grpc::ClientContext* c, auto* response) {
        return margin_.stub->SubmitMargins(c, response);
      });
    }
    *chunk_.add_submissions() = row;
    in_call_.push_back(index);
    if (chunk_.submissions_size() >= kRowsPerMessage) RETURN_IF_ERROR(Flush());
    if (static_cast<int>(in_call_.size()) >= kRowsPerCall) return FinishCall();
    return absl::OkStatus();
  }

  absl::Status FinishCall() {
    if (!stream_) return absl::OkStatus();
    RETURN_IF_ERROR(Flush());
    absl::StatusOr<v1::SubmitMarginsResponse> response = stream_->Finish();
    stream_.reset();
    if (!response.ok()) return response.status();
    if (response->results_size() != static_cast<int>(in_call_.size())) {
      return absl::InternalError(absl::StrCat("the server answered ", response->results_size(),
                                              " results for ", in_call_.size(), " rows"));
    }
    for (const v1::SubmitMarginResult& result : response->results()) {
      ImportedRow& row = rows_[in_call_[result.index()]];
      if (result.has_receipt()) {
        row.receipt = result.receipt();
      } else {
        row.status = BatchItemStatus(result.error());
      }
    }
    in_call_.clear();
    return absl::OkStatus();
  }

 private:
  absl::Status Flush() {
    if (chunk_.submissions_size() == 0) return absl::OkStatus();
    absl::Status written = stream_->Write(chunk_);
    progress_.Add(chunk_.submissions_size());
    chunk_.Clear();
    return written;
  }

  const ServiceClient<v1::MarginService>& margin_;
  std::vector<ImportedRow>& rows_;
  Progress& progress_;
  std::optional<Stream> stream_;
  v1::SubmitMarginsRequest chunk_;
  std::vector<int64_t> in_call_;
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
  return absl::Status(first->code(), absl::StrCat(failed, " of ", rows.size(),
                                                  " rows rejected (first: ",
                                                  DescribeError(*first), ")"));
}

absl::Status Import(const CommandContext& context, const std::string& path) {
  ASSIGN_OR_RETURN(auto margin, context.Open<v1::MarginService>());
  Progress progress("margin import", 0);
  if (progress.enabled()) {
    ASSIGN_OR_RETURN(int64_t total, CountRows(path));
    progress.set_total(total);
  }
  std::vector<ImportedRow> rows;
  Importer importer(margin, rows, progress);
  RETURN_IF_ERROR(ReadRows(
      path, v1::SubmitMarginRequest::default_instance(),
      [&](int64_t index, const absl::Status& row_status, google::protobuf::Message& message) {
        auto& row = static_cast<v1::SubmitMarginRequest&>(message);
        if (row.request_id().empty()) row.set_request_id(DerivedRequestId(path, index));
        rows.push_back({row.request_id(), row_status, {}});
        if (!row_status.ok()) return absl::OkStatus();  // reported with the results
        return importer.Add(index, row);
      }));
  RETURN_IF_ERROR(importer.FinishCall());
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
  cmd->add_option("file", *path, "a .csv file, or a JSON file {\"rows\": [...]}")
      ->required();
  context.SetAction(cmd, [&context, path] { return Import(context, *path); });
}

}  // namespace riskcap::client
