// The backup job: parameters in, db::Backup, report out.
#include "server/jobs/backup_job.h"

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "core/status_macros.h"
#include "db/backup.h"

namespace riskcap::server::jobs {

absl::Status BackupJob::CheckParameters(const std::map<std::string, std::string>& params) const {
  FieldErrors errors;
  auto target = params.find("target");
  if ((target == params.end() || target->second.empty()) && default_target_url_.empty()) {
    errors.Add("parameters.target", "is required: no default backup target (RISKCAP_BACKUP_URL) "
                                    "is configured");
  }
  auto replace = params.find("replace");
  if (replace != params.end() && replace->second != "true" && replace->second != "false") {
    errors.Add("parameters.replace", absl::StrCat("must be true or false, got '", replace->second, "'"));
  }
  return errors.ToStatus();
}

absl::StatusOr<JobOutput> BackupJob::Run(JobContext& context) {
  std::string target = context.Param("target", default_target_url_);
  if (target.empty()) {
    return absl::FailedPreconditionError(
        "backup has no target: pass the parameter target=URL or set RISKCAP_BACKUP_URL");
  }
  std::string replace = context.Param("replace", "false");
  if (replace != "true" && replace != "false") {
    return absl::InvalidArgumentError(
        absl::StrCat("parameter replace='", replace, "' must be true or false"));
  }
  db::BackupOptions options;
  options.replace = replace == "true";
  options.progress = [&](std::string_view table, int64_t done, int64_t expected) {
    context.Progress(absl::StrCat("copying ", AbslView(table)), done, expected);
  };
  options.checkpoint = [&] { return context.CheckCancelled("copying tables"); };
  context.Progress("reading the source snapshot");
  ASSIGN_OR_RETURN(db::BackupReport report, db::Backup(context.store(), target, options));
  JobOutput output;
  output.rows_read = report.total_rows;
  output.rows_written = report.total_rows;
  output.content_hash = report.content_hash;
  output.summary = absl::StrCat("backed up ", report.total_rows, " rows of ", report.tables.size(),
                                " tables to ", report.target, " (verified)");
  return output;
}

std::unique_ptr<Job> MakeBackupJob(std::string default_target_url) {
  return std::make_unique<BackupJob>(std::move(default_target_url));
}

}  // namespace riskcap::server::jobs
