// Every job of docs/jobs.md by name: what riskcapd's job runner executes.
#pragma once

#include "server/config.h"
#include "server/jobs/job_runner.h"

namespace riskcap::server::jobs {

// One Job per name of server/jobs/job.h but "pipeline", configured from `config`.
JobMap MakeJobSet(const ServerConfig& config);

}  // namespace riskcap::server::jobs
