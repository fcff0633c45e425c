// The exposure_snapshot job (docs/jobs.md, docs/rules.md): the current positions batch of the
// reference date ->
// an exposure snapshot version (which funds are exposed to OTC / offshore, with the measures of
// core/exposure_calc.h, and the NAV-relative ones from the NAV snapshot of the positions date). Refuses a batch whose swap part is still pending
// (server/jobs/positions_batch.h). Reads only the store: no source, no feed guard.
#pragma once

#include <memory>

#include "server/jobs/job.h"

namespace riskcap::server::jobs {

std::unique_ptr<Job> MakeExposureSnapshotJob();

}  // namespace riskcap::server::jobs
