// Every job of docs/jobs.md by name: what riskcapd's job runner executes.
#pragma once

#include <string>

#include "server/daemon/config.h"
#include "server/jobs/job_runner.h"

namespace riskcap::server::jobs {

// One Job per name of server/jobs/job.h but "pipeline", configured from `config`.
// `audit_public_key`: the server's audit signing public key, or empty (the backup job's check).
JobMap MakeJobSet(const ServerConfig& config, const std::string& audit_public_key = "");

}  // namespace riskcap::server::jobs
