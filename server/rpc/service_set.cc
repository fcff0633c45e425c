// The list of services riskcapd serves.
#include "server/rpc/service_set.h"

#include "server/admin/admin_service.h"
#include "server/findings/finding_service.h"
#include "server/funds/fund_service.h"
#include "server/ingest/ingest_service.h"
#include "server/jobs/job_service.h"
#include "server/margin/margin_service.h"
#include "server/risk/risk_service.h"
#include "server/snapshots/snapshot_service.h"

namespace riskcap::server {

std::vector<std::unique_ptr<grpc::Service>> MakeServices(RpcEnv& env) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<MarginServiceImpl>(env));
  services.push_back(std::make_unique<FundServiceImpl>(env));
  services.push_back(std::make_unique<AdminServiceImpl>(env));
  services.push_back(std::make_unique<SnapshotServiceImpl>(env));
  services.push_back(std::make_unique<IngestServiceImpl>(env));
  services.push_back(std::make_unique<RiskServiceImpl>(env));
  services.push_back(std::make_unique<JobServiceImpl>(env));
  services.push_back(std::make_unique<FindingServiceImpl>(env));
  return services;
}

std::vector<std::string> ServiceNames() {
  return {v1::MarginService::service_full_name(), v1::FundService::service_full_name(),
          v1::AdminService::service_full_name(), v1::SnapshotService::service_full_name(),
          v1::IngestService::service_full_name(), v1::RiskService::service_full_name(),
          v1::JobService::service_full_name(),
          v1::FindingService::service_full_name()};
}

}  // namespace riskcap::server
