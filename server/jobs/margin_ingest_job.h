// The margin_ingest job (docs/jobs.md): the upstream's margin reports of the reference date (rows
// of
// riskcap.v1.SubmitMarginRequest) -> margin submissions. Each report is validated exactly as
// MarginService.SubmitMargin validates it (server/margin/convert_margin.h) and stored under the stable
// idempotency key "upstream/<request_id>", so re-running never duplicates a submission; a report
// whose request_id was ingested before with different content fails the run (nothing written).
// All new submissions of a run commit in one transaction. Submissions are events, not a snapshot:
// the output has a content hash (over every report's key and content) but no version id.
#pragma once

#include <memory>

#include "server/jobs/job.h"
#include "server/sources/feed_source.h"

namespace riskcap::server::jobs {

inline constexpr std::string_view kUpstreamKeyPrefix = "upstream/";

std::unique_ptr<Job> MakeMarginIngestJob(const sources::SourceConfig& source);

}  // namespace riskcap::server::jobs
