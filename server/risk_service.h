// RiskService: what-if margin benchmarks (CalculateBenchmark). ListFundStatus and
// GetRiskCapitalSummary are not served yet: the base class answers UNIMPLEMENTED.
#pragma once

#include "riskcap/v1/risk.grpc.pb.h"
#include "server/rpc.h"

namespace riskcap::server {

// Safe for concurrent use: holds no state beyond the injected environment.
class RiskServiceImpl final : public v1::RiskService::Service {
 public:
  explicit RiskServiceImpl(const RpcEnv& env) : env_(env) {}

  // SA-CCR and the BCBS-IOSCO IM schedule for hypothetical netting sets; all roles; stores
  // nothing.
  grpc::Status CalculateBenchmark(grpc::ServerContext* context,
                                  const v1::CalculateBenchmarkRequest* request,
                                  v1::CalculateBenchmarkResponse* response) override;

 private:
  const RpcEnv& env_;
};

}  // namespace riskcap::server
