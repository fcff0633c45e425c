// Internal to the job runner (job_runner.cc, job_execution.cc): a run executing on this server.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "core/job_run.h"
#include "server/jobs/job_runner.h"

namespace riskcap::server::jobs {

struct JobRunner::Active {
  JobRun run;                      // the latest state, including unpersisted progress; mu_
  std::atomic<bool> cancel{false};  // set by Cancel, by a heartbeat that saw the DB flag, or Shutdown
  absl::Time last_persisted;        // wall time of the last progress write; mu_
};

// A pipeline's output hash: SHA-256 over "<job> <output hash>\n" of its jobs, in order.
std::string PipelineHash(const std::vector<std::pair<std::string, std::string>>& job_hashes);

// The run's parameters; empty when its params_json is not a flat object of strings.
std::map<std::string, std::string> ParamsOf(const JobRun& run);

}  // namespace riskcap::server::jobs
