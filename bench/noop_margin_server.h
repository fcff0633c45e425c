// An in-process MarginService whose SubmitMargin does no work: the ceiling `riskcap_bench submit
// --baseline` compares a real server with, measured with the same client in the same run.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "riskcap/v1/margin.grpc.pb.h"

namespace riskcap::bench {

// Answers every SubmitMargin at once, on gRPC's callback threads, with a fresh submission id
// (1, 2, ...); every other method is UNIMPLEMENTED. Listens on 127.0.0.1, plain text, on a port
// of the system's choosing. Thread-safe; stops when destroyed.
class NoopMarginServer {
 public:
  NoopMarginServer();
  ~NoopMarginServer();
  NoopMarginServer(const NoopMarginServer&) = delete;
  NoopMarginServer& operator=(const NoopMarginServer&) = delete;

  // "127.0.0.1:<port>", or empty when the server could not start.
  const std::string& address() const { return address_; }

 private:
  class Service final : public v1::MarginService::CallbackService {
   public:
    grpc::ServerUnaryReactor* SubmitMargin(grpc::CallbackServerContext* context,
                                           const v1::SubmitMarginRequest* request,
                                           v1::SubmissionReceipt* receipt) override;

   private:
    std::atomic<int64_t> next_id_{1};
  };

  Service service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace riskcap::bench
