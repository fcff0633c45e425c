// The nav_history job (docs/jobs.md): opening/closing NAV per fund for the reference date, or for a
// backfill range (parameters `from` and `to`, "YYYY-MM-DD", to <= the reference date) -> one NAV
// history version of the reference date holding every date of the range.
#pragma once

#include <memory>

#include "server/jobs/job.h"
#include "server/sources/feed_source.h"

namespace riskcap::server::jobs {

std::unique_ptr<Job> MakeNavHistoryJob(const sources::SourceConfig& source);

}  // namespace riskcap::server::jobs
