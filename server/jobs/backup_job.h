// The "backup" job (docs/jobs.md): a verified copy of every table of the primary store into a
// target
// the operator chose (db/backup_target.h), typically a SQLite file beside a PostgreSQL primary.
// Not part of the pipeline; the reference date only names the run.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/enums.h"
#include "db/backup_target.h"
#include "server/jobs/job.h"

namespace riskcap::server::jobs {

// Parameters:
// - "target": omitted (or empty) for the configured RISKCAP_BACKUP_URL; else that URL itself
//   (stored redacted) or a file name inside RISKCAP_BACKUP_DIR. Anything else is refused before
//   the run is admitted, and checked again when it executes.
// - "replace": only "false". Overwriting a non-empty PostgreSQL database is offline-only
//   (`riskcapd backup --to URL --replace`).
// Output: rows_read = rows_written = rows copied, content_hash = the report's hash over the
// per-table hashes (of the copy, in which this run is recorded SUCCEEDED: db/backup.h), summary
// naming the tables, rows and the target (redacted). Cancellation is checked between chunks; a
// cancelled run applies nothing (a SQLite target keeps its previous file). Error messages quote
// URLs only redacted.
class BackupJob final : public Job {
 public:
  BackupJob(db::BackupTargetPolicy policy, std::string trusted_audit_key)
      : policy_(std::move(policy)), trusted_audit_key_(std::move(trusted_audit_key)) {}
  std::string_view name() const override { return kBackup; }
  std::vector<std::string> parameter_keys() const override { return {"target", "replace"}; }
  // INVALID_ARGUMENT naming parameters.target or parameters.replace; creates nothing.
  absl::Status CheckParameters(const std::map<std::string, std::string>& params) const override;
  absl::StatusOr<JobOutput> Run(JobContext& context) override;

 private:
  db::BackupTargetPolicy policy_;
  std::string trusted_audit_key_;
};

// For the runner's job registry. `trusted_audit_key`: the server's audit signing public key (64
// hex digits), which every checkpoint of the copy must carry; empty when the server has none (the
// copy's checkpoints are then checked against their own keys only).
std::unique_ptr<Job> MakeBackupJob(db::BackupTargetPolicy policy,
                                   std::string trusted_audit_key = "");

// RunJob's rule for the backup job, applied before its run is admitted: the parameters must pass
// `backup`'s CheckParameters (INVALID_ARGUMENT, for every role), and only an ADMIN key may name a
// target (PERMISSION_DENIED otherwise): a SERVICE key backs up to the configured RISKCAP_BACKUP_URL
// only. Rewrites parameters.target to the form stored on the run, its password redacted (the job
// resolves the real URL from the configuration when it executes). `backup` null: this server has
// no backup job; nothing to check (admission reports it).
absl::Status AdmitBackupRequest(const Job* backup, Role caller,
                                std::map<std::string, std::string>* params);

}  // namespace riskcap::server::jobs
