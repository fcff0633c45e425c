// The margin_status job (docs/jobs.md, docs/rules.md): for its reference date, every active fund's
// submission
// status, risk capital and margin benchmark, stored as one MARGIN_STATUS snapshot version, plus
// the findings those call for. Rules, findings and auto-resolution: docs/rules.md.
#pragma once

#include <memory>

#include "server/jobs/job.h"

namespace riskcap::server::jobs {

// Reads: funds, the exposure snapshot current on the date (and its positions batch), the NAV
// snapshot of the date, submissions, exemptions and each fund's previous stored result.
// Writes: a MARGIN_STATUS version unless the current one has the same content hash (then
// rows_written = 0 and output_version_id is the current one). Raises the date's findings
// (de-duplicated by key and date) and resolves, as "system", the date's open findings of its
// rules that its result no longer produces; findings of other dates are never touched.
// Stateless: safe to run concurrently for different dates.
std::unique_ptr<Job> MakeMarginStatusJob();

}  // namespace riskcap::server::jobs
