// MarginService: managers submit margin reports; analysts validate or reject them.
#pragma once

#include "riskcap/v1/margin.grpc.pb.h"
#include "server/rpc/rpc.h"
#include "server/margin/submission_intake.h"

namespace riskcap::server {

// SubmitMargin, the hot path, is served on the callback API (server/margin/submit_margin_call.h); the
// other methods are synchronous.
class MarginServiceImpl final
    : public v1::MarginService::WithCallbackMethod_SubmitMargin<v1::MarginService::Service> {
 public:
  explicit MarginServiceImpl(const RpcEnv& env) : env_(env), intake_(env) {}

  grpc::ServerUnaryReactor* SubmitMargin(grpc::CallbackServerContext* context,
                                         const v1::SubmitMarginRequest* request,
                                         v1::SubmissionReceipt* response) override;
  grpc::Status SubmitMargins(grpc::ServerContext* context,
                             grpc::ServerReader<v1::SubmitMarginsRequest>* reader,
                             v1::SubmitMarginsResponse* response) override;
  grpc::Status GetSubmission(grpc::ServerContext* context, const v1::GetSubmissionRequest* request,
                             v1::MarginSubmission* response) override;
  grpc::Status ListSubmissions(grpc::ServerContext* context,
                               const v1::ListSubmissionsRequest* request,
                               v1::ListSubmissionsResponse* response) override;
  grpc::Status ValidateSubmission(grpc::ServerContext* context,
                                  const v1::ValidateSubmissionRequest* request,
                                  v1::MarginSubmission* response) override;
  grpc::Status RejectSubmission(grpc::ServerContext* context,
                                const v1::RejectSubmissionRequest* request,
                                v1::MarginSubmission* response) override;

  // Largest batch accepted by SubmitMargins.
  static constexpr int kMaxBatch = 10'000;

 private:
  absl::Status Decide(const Principal& principal, const std::string& request_id,
                      int64_t submission_id, SubmissionState decision, const std::string& reason,
                      CallInfo& info, v1::MarginSubmission* response);
  absl::StatusOr<MarginSubmission> GetVisible(const Principal& principal, int64_t id);

  const RpcEnv& env_;
  SubmissionIntake intake_;
};

}  // namespace riskcap::server
