// RiskService.CalculateBenchmark: request netting sets -> core risk inputs (with field-level
// validation), and core SA-CCR / IM schedule results -> response messages.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "core/risk/im_schedule.h"
#include "core/risk/netting_set.h"
#include "core/risk/saccr.h"
#include "riskcap/v1/benchmark.pb.h"

namespace riskcap::server {

inline constexpr int kMaxBenchmarkNettingSets = 100;
inline constexpr int kMaxBenchmarkTrades = 10'000;
// Violations reported per request; the rest are dropped (the caller fixes and retries).
inline constexpr size_t kMaxBenchmarkViolations = 100;

// One netting set of the request, mapped and validated for the benchmarks it gets.
struct BenchmarkInput {
  risk::NettingSet netting_set;
  // False when the set holds an OTHER trade: only the IM schedule applies (docs/api.md).
  bool saccr = true;
};

// Maps every netting set onto core/risk types and validates it (ValidateNettingSet, plus request
// limits, unique ids and required enums). On bad input, InvalidArgument with one field violation
// per bad field (at most kMaxBenchmarkViolations): paths like
// "netting_sets[0].trades[2].end_years", descriptions like "netting set NS1 trade T3: end_years
// must be >= start_years".
absl::StatusOr<std::vector<BenchmarkInput>> ParseBenchmarkRequest(
    const v1::CalculateBenchmarkRequest& request);

void ToProto(const risk::SaccrResult& result, v1::SaCcrResult* out);
void ToProto(const risk::ImScheduleResult& result, v1::ImScheduleResult* out);

}  // namespace riskcap::server
