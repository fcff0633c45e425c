// FindingService: lists findings and reminders, moves findings through OPEN -> ACKNOWLEDGED ->
// RESOLVED, and streams new findings (WatchFindings).
#pragma once

#include "riskcap/v1/finding.grpc.pb.h"
#include "server/rpc/rpc.h"

namespace riskcap::server {

// Safe for concurrent use: holds no state beyond the injected environment. WatchFindings wakes on
// env.findings (when set) and polls the store every `poll_interval` otherwise, so findings raised
// by another replica arrive too; it ends when the client cancels or env.findings shuts down.
// A watch is authenticated before the store is read, takes a place under env.streams, and ends
// with UNAUTHENTICATED once its key is revoked (within db::Store::kLookupTtl); a MANAGER's funds are
// re-read as often, so a fund the manager lost stops being delivered.
class FindingServiceImpl final : public v1::FindingService::Service {
 public:
  static constexpr absl::Duration kDefaultPollInterval = absl::Milliseconds(500);

  explicit FindingServiceImpl(const RpcEnv& env,
                              absl::Duration poll_interval = kDefaultPollInterval)
      : env_(env), poll_interval_(poll_interval) {}

  grpc::Status ListFindings(grpc::ServerContext* context, const v1::ListFindingsRequest* request,
                            v1::ListFindingsResponse* response) override;
  grpc::Status AcknowledgeFinding(grpc::ServerContext* context,
                                  const v1::AcknowledgeFindingRequest* request,
                                  v1::Finding* response) override;
  grpc::Status ResolveFinding(grpc::ServerContext* context,
                              const v1::ResolveFindingRequest* request,
                              v1::Finding* response) override;
  grpc::Status WatchFindings(grpc::ServerContext* context,
                             const v1::WatchFindingsRequest* request,
                             grpc::ServerWriter<v1::Finding>* writer) override;
  grpc::Status ListReminders(grpc::ServerContext* context,
                             const v1::ListRemindersRequest* request,
                             v1::ListRemindersResponse* response) override;
  // In server/findings/delivery_rpcs.cc.
  grpc::Status RetryDelivery(grpc::ServerContext* context,
                             const v1::RetryDeliveryRequest* request,
                             v1::Delivery* response) override;

 private:
  const RpcEnv& env_;
  absl::Duration poll_interval_;
};

}  // namespace riskcap::server
