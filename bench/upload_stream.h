// One client-streaming IngestService upload of generated rows: the header, then the rows in
// messages of a fixed size, then the server's answer.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bench/call_errors.h"
#include "bench/load_options.h"
#include "riskcap/v1/ingest.grpc.pb.h"

namespace riskcap::bench {

struct UploadSpec {
  std::string request_id;
  std::string reference_date;  // "YYYY-MM-DD"
  std::string source = "riskcap_bench";
  int64_t rows = 0;
  int64_t rows_per_message = 5'000;
};

// Streams `spec.rows` rows made by `fill(index, row)` through `open(context, response)` (e.g. a
// stub's UploadPositions) and returns the server's answer. An answer that is not a new version
// of exactly `spec.rows` rows is an error: the bench must measure real writes.
template <typename Request, typename Open, typename Fill>
absl::StatusOr<v1::UploadResponse> StreamUpload(const LoadOptions& options, const UploadSpec& spec,
                                                Open open, Fill fill) {
  grpc::ClientContext context;
  PrepareContext(options, context);
  v1::UploadResponse response;
  std::unique_ptr<grpc::ClientWriter<Request>> writer = open(&context, &response);
  Request message;
  v1::UploadHeader* header = message.mutable_header();
  header->set_request_id(spec.request_id);
  header->set_reference_date(spec.reference_date);
  header->set_source(spec.source);
  bool open_stream = writer->Write(message);
  for (int64_t i = 0; open_stream && i < spec.rows; i += spec.rows_per_message) {
    message.Clear();
    auto* rows = message.mutable_rows();
    const int64_t end = std::min(spec.rows, i + spec.rows_per_message);
    for (int64_t j = i; j < end; ++j) fill(j, rows->add_rows());
    open_stream = writer->Write(message);  // false once the server has answered early
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return ToAbslStatus(status, absl::StrCat("upload ", spec.request_id));
  if (response.replayed() || response.row_count() != spec.rows) {
    return absl::InternalError(absl::StrCat("upload ", spec.request_id, ": the server answered ",
                                            response.row_count(), " rows, replayed=",
                                            response.replayed(), "; expected a new version of ",
                                            spec.rows, " rows"));
  }
  return response;
}

}  // namespace riskcap::bench
