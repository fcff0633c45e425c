// The swaps job (docs/jobs.md): OTC swap positions of the reference date -> a new positions batch
// version holding them (the OTC_SWAP rows)
// with the other part carried over; see server/jobs/positions_batch.h.
#pragma once

#include <memory>

#include "server/jobs/job.h"
#include "server/sources/feed_source.h"

namespace riskcap::server::jobs {

std::unique_ptr<Job> MakeSwapsJob(const sources::SourceConfig& source);

}  // namespace riskcap::server::jobs
