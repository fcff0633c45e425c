// riskcap ingest: upload NAV snapshots, NAV history or positions from a CSV or JSON file through
// IngestService, streamed in chunks of 1,000 rows (the file is never held in memory).
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/command.h"
#include "client/progress.h"
#include "client/proto_table.h"
#include "client/request_id.h"
#include "client/upload_stream.h"
#include "core/status_macros.h"
#include "riskcap/v1/ingest.grpc.pb.h"
#include "protos/rows/row_reader.h"

namespace riskcap::client {
namespace {

constexpr int kRowsPerMessage = 1000;

struct IngestFlags {
  std::string file, date, source, request_id;
};

v1::UploadHeader Header(const IngestFlags& f) {
  v1::UploadHeader header;
  header.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  header.set_reference_date(
      f.date.empty() ? absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()) : f.date);
  header.set_source(f.source.empty()
                        ? absl::StrCat("file:", std::filesystem::path(f.file).filename().string())
                        : f.source);
  return header;
}

// Streams the rows of f.file (messages of type Row) as one upload. `open` starts the call.
template <typename Request, typename Row, typename Open>
absl::Status Upload(const CommandContext& context, const IngestFlags& f, Open open) {
  ASSIGN_OR_RETURN(auto ingest, context.Open<v1::IngestService>());
  Progress progress("ingest", 0);
  if (progress.enabled()) {
    ASSIGN_OR_RETURN(int64_t total, rows::CountRowsFile(f.file, rows::StreamedFileLimits()));
    progress.set_total(total);
  }
  UploadStream<Request, v1::UploadResponse> stream(
      ingest.connection,
      [&](grpc::ClientContext* c, auto* response) { return open(*ingest.stub, c, response); });
  Request message;
  *message.mutable_header() = Header(f);
  RETURN_IF_ERROR(stream.Write(message));
  message.Clear();
  auto flush = [&]() -> absl::Status {
    int rows = message.rows().rows_size();
    if (rows == 0) return absl::OkStatus();
    RETURN_IF_ERROR(stream.Write(message));
    progress.Add(rows);
    message.Clear();
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(rows::ReadRowsFile(
      f.file, Row::default_instance(), rows::StreamedFileLimits(),
      [&](int64_t, const absl::Status& status, google::protobuf::Message& row) -> absl::Status {
        RETURN_IF_ERROR(status);  // an upload is all or nothing
        *message.mutable_rows()->add_rows() = static_cast<Row&>(row);
        if (message.rows().rows_size() >= kRowsPerMessage) return flush();
        return absl::OkStatus();
      }));
  RETURN_IF_ERROR(flush());
  ASSIGN_OR_RETURN(v1::UploadResponse response, stream.Finish());
  progress.Finish();
  context.Print(ProtoRecord(response));
  return absl::OkStatus();
}

using Stub = v1::IngestService::Stub;

absl::Status Positions(const CommandContext& context, const IngestFlags& f) {
  return Upload<v1::UploadPositionsRequest, v1::Position>(
      context, f, [](Stub& stub, grpc::ClientContext* c, v1::UploadResponse* r) {
        return stub.UploadPositions(c, r);
      });
}

absl::Status Nav(const CommandContext& context, const IngestFlags& f) {
  return Upload<v1::UploadNavSnapshotsRequest, v1::NavSnapshot>(
      context, f, [](Stub& stub, grpc::ClientContext* c, v1::UploadResponse* r) {
        return stub.UploadNavSnapshots(c, r);
      });
}

absl::Status NavHistory(const CommandContext& context, const IngestFlags& f) {
  return Upload<v1::UploadNavHistoryRequest, v1::NavHistoryEntry>(
      context, f, [](Stub& stub, grpc::ClientContext* c, v1::UploadResponse* r) {
        return stub.UploadNavHistory(c, r);
      });
}

void AddUpload(CLI::App& group, CommandContext& context, const std::string& name,
               const std::string& what, const std::string& example,
               absl::Status (*upload)(const CommandContext&, const IngestFlags&)) {
  CLI::App* cmd = AddCommand(
      group, name,
      absl::StrCat("Upload ", what,
                   " from a CSV file (header = field names) or a JSON file {\"rows\": [...]};\n"
                   "all or nothing: a bad row names rows[i].<field> and nothing is applied.\n"
                   "Prints the load (reference date, version, load id, row count, content hash)"),
      example);
  auto f = std::make_shared<IngestFlags>();
  cmd->add_option("file", f->file, "a .csv file, or a JSON file")->required();
  cmd->add_option("--date", f->date, "reference date of the load, YYYY-MM-DD (default: today UTC)");
  cmd->add_option("--source", f->source, "source label recorded on the load (default: file:NAME)");
  cmd->add_option("--request-id", f->request_id,
                  "idempotency key: the same key and content replays (default: a random UUID)");
  context.SetAction(cmd, [&context, f, upload] { return upload(context, *f); });
}

}  // namespace

void RegisterIngestCommands(CLI::App& app, CommandContext& context) {
  CLI::App* group =
      AddGroup(app, "ingest", "Load data files into a new version of a dataset (SERVICE, ADMIN)",
               "riskcap ingest positions positions-2026-11-20.csv --date 2026-11-20");
  AddUpload(*group, context, "positions", "one complete positions batch",
            "riskcap ingest positions positions-2026-11-20.csv --date 2026-11-20", Positions);
  AddUpload(*group, context, "nav", "one complete NAV snapshot (one row per fund)",
            "riskcap ingest nav nav_snapshot-2026-11-20.json --date 2026-11-20", Nav);
  AddUpload(*group, context, "nav-history", "NAV history rows (any dates up to --date)",
            "riskcap ingest nav-history nav_history-2026-11-20.csv", NavHistory);
}

}  // namespace riskcap::client
