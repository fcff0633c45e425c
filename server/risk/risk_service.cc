// RiskService RPCs.
#include "server/risk/risk_service.h"

#include "core/risk/im_schedule.h"
#include "core/risk/saccr.h"
#include "core/status_macros.h"
#include "server/risk/convert_benchmark.h"

namespace riskcap::server {
namespace {

// Both benchmarks of one validated netting set (SA-CCR only when the set admits it).
absl::Status Calculate(const BenchmarkInput& input, v1::NettingSetBenchmark* out) {
  out->set_id(input.netting_set.id);
  ASSIGN_OR_RETURN(risk::ImScheduleResult schedule, risk::ComputeImSchedule(input.netting_set));
  ToProto(schedule, out->mutable_schedule());
  if (input.saccr) {
    ASSIGN_OR_RETURN(risk::SaccrResult saccr, risk::ComputeSaccr(input.netting_set));
    ToProto(saccr, out->mutable_sa_ccr());
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status RiskServiceImpl::CalculateBenchmark(grpc::ServerContext* context,
                                                 const v1::CalculateBenchmarkRequest* request,
                                                 v1::CalculateBenchmarkResponse* response) {
  return HandleRpc(env_, *context, "RiskService/CalculateBenchmark", "", CallKind::kRead,
                   [&](const Principal&, CallInfo&) -> absl::Status {
                     ASSIGN_OR_RETURN(std::vector<BenchmarkInput> inputs,
                                      ParseBenchmarkRequest(*request));
                     for (const BenchmarkInput& input : inputs) {
                       RETURN_IF_ERROR(Calculate(input, response->add_netting_sets()));
                     }
                     return absl::OkStatus();
                   });
}

}  // namespace riskcap::server
