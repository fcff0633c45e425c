// NoopMarginServer: a gRPC server with one trivial callback method.
#include "bench/noop_margin_server.h"

#include "absl/strings/str_cat.h"

namespace riskcap::bench {

grpc::ServerUnaryReactor* NoopMarginServer::Service::SubmitMargin(
    grpc::CallbackServerContext* context, const v1::SubmitMarginRequest* /*request*/,
    v1::SubmissionReceipt* receipt) {
  receipt->set_submission_id(next_id_.fetch_add(1, std::memory_order_relaxed));
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

NoopMarginServer::NoopMarginServer() {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service_);
  server_ = builder.BuildAndStart();
  if (server_ != nullptr && port > 0) address_ = absl::StrCat("127.0.0.1:", port);
}

NoopMarginServer::~NoopMarginServer() {
  if (server_ != nullptr) server_->Shutdown();
}

}  // namespace riskcap::bench
