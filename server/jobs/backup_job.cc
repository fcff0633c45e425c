// The backup job: parameters in, db::Backup, report out.
#include "server/jobs/backup_job.h"

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "core/status_macros.h"
#include "db/backup.h"
#include "db/store_url.h"

namespace riskcap::server::jobs {
namespace {

constexpr char kReplaceOffline[] =
    "overwriting a non-empty PostgreSQL database is available only offline, on the server: "
    "riskcapd backup --to URL --replace";

// The parameter's value, or "" when absent.
std::string ValueOf(const std::map<std::string, std::string>& params, const std::string& key) {
  auto it = params.find(key);
  return it == params.end() ? "" : it->second;
}

// `status` with any URL password in its message redacted (run errors are stored and listed).
absl::Status Redacted(const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), db::RedactStoreUrl(StdView(status.message())));
}

}  // namespace

absl::Status BackupJob::CheckParameters(const std::map<std::string, std::string>& params) const {
  FieldErrors errors;
  auto target = db::ResolveBackupTarget(policy_, ValueOf(params, "target"));
  if (!target.ok()) errors.Add("parameters.target", StdView(target.status().message()));
  std::string replace = ValueOf(params, "replace");
  if (replace == "true") {
    errors.Add("parameters.replace", kReplaceOffline);
  } else if (params.count("replace") > 0 && replace != "false") {
    errors.Add("parameters.replace",
               absl::StrCat("must be false (", kReplaceOffline, "), got '", replace, "'"));
  }
  return errors.ToStatus();
}

absl::StatusOr<JobOutput> BackupJob::Run(JobContext& context) {
  if (context.Param("replace", "false") != "false") {
    return absl::InvalidArgumentError(absl::StrCat("parameter replace: ", kReplaceOffline));
  }
  auto target = db::ResolveBackupTarget(policy_, context.Param("target"));
  if (!target.ok()) return Redacted(target.status());
  db::BackupOptions options;
  options.progress = [&](std::string_view table, int64_t done, int64_t expected) {
    context.Progress(absl::StrCat("copying ", AbslView(table)), done, expected);
  };
  options.checkpoint = [&] { return context.CheckCancelled("copying tables"); };
  options.own_run_id = context.run_id();
  options.own_run_finished_at = context.clock().Now();
  options.audit.trusted_public_key = trusted_audit_key_;
  context.Progress("reading the source snapshot");
  auto report = db::Backup(context.store(), *target, options);
  if (!report.ok()) return Redacted(report.status());
  JobOutput output;
  output.rows_read = report->total_rows;
  output.rows_written = report->total_rows;
  output.content_hash = report->content_hash;
  output.summary = absl::StrCat("backed up ", report->total_rows, " rows of ",
                                report->tables.size(), " tables to ", report->target,
                                " (verified; audit chain of ", report->audit_records, " records intact)");
  return output;
}

std::unique_ptr<Job> MakeBackupJob(db::BackupTargetPolicy policy, std::string trusted_audit_key) {
  return std::make_unique<BackupJob>(std::move(policy), std::move(trusted_audit_key));
}

absl::Status AdmitBackupRequest(const Job* backup, Role caller,
                                std::map<std::string, std::string>* params) {
  if (backup == nullptr) return absl::OkStatus();
  RETURN_IF_ERROR(backup->CheckParameters(*params));
  auto target = params->find("target");
  if (target == params->end() || target->second.empty()) return absl::OkStatus();
  if (caller != Role::kAdmin) {
    return absl::PermissionDeniedError(
        "only an ADMIN key may choose a backup target (parameters.target); omit it to back up "
        "to the configured RISKCAP_BACKUP_URL");
  }
  target->second = db::RedactStoreUrl(target->second);
  return absl::OkStatus();
}

}  // namespace riskcap::server::jobs
