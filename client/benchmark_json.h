// The `riskcap calc` file format: hypothetical netting sets as JSON (the request's field names,
// enum values without their prefix: "IR", "LONG", "PUT", "AA", "ENERGY") <-> the messages of
// RiskService.CalculateBenchmark, and its results as the documented JSON.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/output.h"
#include "riskcap/v1/benchmark.pb.h"

namespace riskcap::client {

// Reads a calc input file. InvalidArgument when it cannot be read or is not JSON (the message
// names the file and the position), or with one field violation per bad member, at paths like
// "netting_sets[0].trades[1].asset_class" and described as "netting set NS1 trade T2: ...".
// Required: netting set id and trades; trade id, asset_class, notional, maturity_years, mtm;
// for SA-CCR also end_years of IR and CREDIT trades (the schedule buckets by maturity_years
// only); every member of option. Unknown keys are errors; the server checks the rest
// (docs/risk-methods.md).
// The file is read only when it holds at most kMaxCalcInputBytes, and parsed only while nested at
// most kMaxCalcInputNesting levels deep (InvalidArgument otherwise).
inline constexpr size_t kMaxCalcInputBytes = 16 << 20;
inline constexpr int kMaxCalcInputNesting = 64;
// The method the input is read for: it decides which members are required.
enum class CalcMethod { kSaccr, kImSchedule };
absl::StatusOr<v1::CalculateBenchmarkRequest> ReadBenchmarkFile(const std::string& path,
                                                                CalcMethod method);
// ReadBenchmarkFile's parsing of the file's `text`; `path` names it in messages.
absl::StatusOr<v1::CalculateBenchmarkRequest> BenchmarkRequestFromText(std::string_view text,
                                                                       const std::string& path,
                                                                       CalcMethod method);
absl::StatusOr<v1::CalculateBenchmarkRequest> BenchmarkRequestFromJson(const Json& input,
                                                                       CalcMethod method);

// InvalidArgument at the asset_class of every OTHER trade: SA-CCR does not cover them.
absl::Status RequireSaccrAssetClasses(const v1::CalculateBenchmarkRequest& request);

// {"netting_sets": [{"id", "replacement_cost", "addon": {"IR", "FX", "CREDIT", "EQUITY",
// "COMMODITY"}, "addon_aggregate", "multiplier", "pfe", "ead"}]}; figures are null for a set the
// server gave no SA-CCR result.
Json SaccrToJson(const v1::CalculateBenchmarkResponse& response);
// {"netting_sets": [{"id", "gross_im", "gross_replacement_cost", "net_replacement_cost", "ngr",
// "net_im"}]}.
Json ImScheduleToJson(const v1::CalculateBenchmarkResponse& response);

}  // namespace riskcap::client
