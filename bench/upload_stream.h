// One client-streaming IngestService upload of generated rows, made while they are sent: the
// header, then the rows in messages of a fixed size (upload_batch.h), then the server's answer.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bench/call_errors.h"
#include "bench/load_options.h"
#include "bench/upload_batch.h"
#include "riskcap/v1/ingest.grpc.pb.h"

namespace riskcap::bench {

// Streams `spec.rows` rows made by `fill(index, row)` through `open(context, response)` (e.g. a
// stub's UploadPositions) and returns the server's answer. An answer that is not a new version
// of exactly `spec.rows` rows is an error (CheckNewVersion).
template <typename Request, typename Open, typename Fill>
absl::StatusOr<v1::UploadResponse> StreamUpload(const LoadOptions& options, const UploadSpec& spec,
                                                Open open, Fill fill) {
  grpc::ClientContext context;
  PrepareContext(options, context);
  v1::UploadResponse response;
  std::unique_ptr<grpc::ClientWriter<Request>> writer = open(&context, &response);
  // Write returns false once the server has answered early; Finish then says why.
  ForEachUploadMessage<Request>(
      spec, fill, [&writer](const Request& message) { return writer->Write(message); });
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return ToAbslStatus(status, absl::StrCat("upload ", spec.request_id));
  if (absl::Status answer = CheckNewVersion(spec, response); !answer.ok()) return answer;
  return response;
}

}  // namespace riskcap::bench
