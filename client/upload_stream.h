// One client-streaming call (margin import, data uploads): write messages, then close and read
// the single response.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/connection.h"

namespace riskcap::client {

// Not thread-safe. The call has the connection's deadline.
template <typename Request, typename Response>
class UploadStream {
 public:
  // Starts the call, e.g. UploadStream(connection, [&](auto* ctx, auto* resp) {
  //   return stub->UploadPositions(ctx, resp); }).
  template <typename Open>
  UploadStream(const Connection& connection, Open open) : connection_(connection) {
    connection_.Prepare(context_);
    writer_ = open(&context_, &response_);
  }

  // An unfinished call (the caller gave up, e.g. on a bad row) is cancelled: nothing applies.
  ~UploadStream() {
    if (finished_) return;
    context_.TryCancel();
    writer_->Finish();
  }
  UploadStream(const UploadStream&) = delete;
  UploadStream& operator=(const UploadStream&) = delete;

  // Sends one message. When the server has already ended the call, returns its status.
  absl::Status Write(const Request& request) {
    if (writer_->Write(request)) return absl::OkStatus();
    finished_ = true;
    absl::Status status = connection_.Check(writer_->Finish());
    if (status.ok()) return absl::InternalError("the server ended the upload early");
    return status;
  }

  // Closes the stream and returns the response.
  absl::StatusOr<Response> Finish() {
    writer_->WritesDone();
    finished_ = true;
    absl::Status status = connection_.Check(writer_->Finish());
    if (!status.ok()) return status;
    return std::move(response_);
  }

 private:
  const Connection& connection_;
  grpc::ClientContext context_;
  Response response_;
  std::unique_ptr<grpc::ClientWriter<Request>> writer_;
  bool finished_ = false;
};

}  // namespace riskcap::client
