// The "backup" job (SPEC §3): a verified copy of every table of the primary store into a target
// store URL (db/backup.h), typically a SQLite file beside a PostgreSQL primary. Not part of the
// pipeline; the reference date only names the run.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/jobs/job.h"

namespace riskcap::server::jobs {

// Parameters: "target" (store URL; default: the configured RISKCAP_BACKUP_URL) and "replace"
// ("true" lets a PostgreSQL target that holds rows be overwritten). Output: rows_read =
// rows_written = rows copied, content_hash = the report's hash over the per-table hashes (equal
// data gives an equal hash), summary naming the tables, rows and target. FailedPrecondition when
// there is no target. Cancellation is checked between chunks; a cancelled run applies nothing
// (a SQLite target keeps its previous file).
class BackupJob final : public Job {
 public:
  explicit BackupJob(std::string default_target_url)
      : default_target_url_(std::move(default_target_url)) {}
  std::string_view name() const override { return kBackup; }
  std::vector<std::string> parameter_keys() const override { return {"target", "replace"}; }
  // parameters.target required when no default is configured; parameters.replace true|false.
  absl::Status CheckParameters(const std::map<std::string, std::string>& params) const override;
  absl::StatusOr<JobOutput> Run(JobContext& context) override;

 private:
  std::string default_target_url_;
};

// For the runner's job registry.
std::unique_ptr<Job> MakeBackupJob(std::string default_target_url);

}  // namespace riskcap::server::jobs
