// Pure rules of the job runner: pipeline order, re-running from a named job, final states,
// progress fractions and the canonical form of run parameters.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/enums.h"

namespace riskcap {

// The jobs a pipeline runs, in dependency order (docs/jobs.md). "backup" is not one of them.
const std::vector<std::string>& PipelineJobs();

// The pipeline's jobs from `from_job` onward; every job when `from_job` is empty.
// InvalidArgument when `from_job` is not a pipeline job.
absl::StatusOr<std::vector<std::string>> PipelineJobsFrom(std::string_view from_job);

// SUCCEEDED, FAILED and CANCELLED are final: a run in one never changes again.
bool IsFinalJobState(JobState state);

// rows_done / rows_expected clamped to [0, 1]; 0 when the total is unknown (0), 1 when `final`.
double ProgressFraction(int64_t rows_done, int64_t rows_expected, bool final);

// `params` as a JSON object with keys in sorted order and strings escaped, e.g.
// {"from":"2024-01-01","to":"2024-01-31"}: equal maps give equal text.
std::string ParamsJson(const std::map<std::string, std::string>& params);

// Limits of ParseParamsJson: parameters are a few short values (dates, names).
inline constexpr size_t kMaxParamsJsonBytes = 64 << 10;
inline constexpr size_t kMaxParams = 64;

// The inverse of ParamsJson for any flat JSON object of strings; InvalidArgument otherwise, and
// for text over kMaxParamsJsonBytes, more than kMaxParams members, a duplicate key, text that is
// not UTF-8, an unknown escape or a lone surrogate.
absl::StatusOr<std::map<std::string, std::string>> ParseParamsJson(std::string_view json);

}  // namespace riskcap
