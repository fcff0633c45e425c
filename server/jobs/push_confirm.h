// The "push" source: the data of a date arrives through the IngestService uploads, so the job
// only confirms that an uploaded version of the date exists and reports it.
#pragma once

#include "absl/status/statusor.h"
#include "server/jobs/job.h"

namespace riskcap::server::jobs {

// The current version of `kind` for the context's date as the job's output (rows_written 0:
// the upload wrote it). FailedPrecondition naming the upload RPC when none was uploaded.
absl::StatusOr<JobOutput> ConfirmPushedVersion(const JobContext& context, SnapshotKind kind,
                                               const char* upload_rpc);

}  // namespace riskcap::server::jobs
