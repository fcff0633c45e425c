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
// {"from":"2024-01-01","to":"2024-01-31"}: equal maps give equal text. Reading it back is the
// server's (server/jobs/job_params.h), where a JSON library may be used.
std::string ParamsJson(const std::map<std::string, std::string>& params);

}  // namespace riskcap
