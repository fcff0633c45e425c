// The positions job (docs/jobs.md): positions (OTC options, offshore funds, other) of the reference
// date -> a new positions batch version holding them (every row but OTC swaps)
// with the other part carried over; see server/jobs/positions_batch.h.
#pragma once

#include <memory>

#include "server/jobs/job.h"
#include "server/sources/feed_source.h"

namespace riskcap::server::jobs {

std::unique_ptr<Job> MakePositionsJob(const sources::SourceConfig& source);

}  // namespace riskcap::server::jobs
