// Push-source confirmation.
#include "server/jobs/push_confirm.h"

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "server/jobs/feed_job_support.h"

namespace riskcap::server::jobs {

absl::StatusOr<JobOutput> ConfirmPushedVersion(const JobContext& context, SnapshotKind kind,
                                               const char* upload_rpc) {
  ASSIGN_OR_RETURN(std::optional<SnapshotVersion> current,
                   CurrentVersion(context.store(), kind, context.reference_date()));
  if (!current) {
    return absl::FailedPreconditionError(absl::StrCat(
        "source is push but no ", AbslView(EnumName(kind)), " was uploaded for ",
        FormatDate(context.reference_date()), " (upload it with IngestService.", upload_rpc,
        ")"));
  }
  JobOutput out;
  out.rows_read = current->row_count;
  out.content_hash = current->content_hash;
  out.output_version_id = current->id;
  out.summary = absl::StrCat("push: uploaded version v", current->version, " with ",
                             current->row_count, " rows is current");
  return out;
}

}  // namespace riskcap::server::jobs
