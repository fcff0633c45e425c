// The nav_snapshot job (docs/jobs.md): fund NAV and risk metrics from the source -> a NAV snapshot
// version of the reference date. First creates the managers/funds the store does not know yet
// (server/jobs/registry_sync.h); never changes existing ones.
#pragma once

#include <memory>

#include "server/jobs/job.h"
#include "server/sources/feed_source.h"

namespace riskcap::server::jobs {

std::unique_ptr<Job> MakeNavSnapshotJob(const sources::SourceConfig& source);

}  // namespace riskcap::server::jobs
