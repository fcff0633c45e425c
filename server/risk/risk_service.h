// RiskService: per-fund status and KPIs from the stored margin_status output (status_rpcs.cc),
// and what-if margin benchmarks (CalculateBenchmark, risk_service.cc).
#pragma once

#include "riskcap/v1/risk.grpc.pb.h"
#include "server/rpc/rpc.h"

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

  // Per-fund status of a MARGIN_STATUS snapshot, by fund_id; all roles (MANAGER: own funds).
  grpc::Status ListFundStatus(grpc::ServerContext* context,
                              const v1::ListFundStatusRequest* request,
                              v1::ListFundStatusResponse* response) override;

  // KPIs over the monitored funds of a MARGIN_STATUS snapshot (docs/kpis.md); all roles
  // (MANAGER: over its own funds).
  grpc::Status GetRiskCapitalSummary(grpc::ServerContext* context,
                                     const v1::GetRiskCapitalSummaryRequest* request,
                                     v1::RiskCapitalSummary* response) override;

  // One fund's stored status explained (inputs, arithmetic) and optionally recomputed
  // (status_explain.h); ADMIN, ANALYST, and MANAGER for its own funds.
  grpc::Status ExplainFundStatus(grpc::ServerContext* context,
                                 const v1::ExplainFundStatusRequest* request,
                                 v1::FundStatusExplanation* response) override;

 private:
  const RpcEnv& env_;
};

}  // namespace riskcap::server
