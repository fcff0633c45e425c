// The jobs riskcapd runs, one line per job of docs/jobs.md, each configured from the server config
// (the data jobs read from the source configured for them).
#include "server/jobs/job_set.h"

#include <memory>

#include "server/jobs/backup_job.h"
#include "server/jobs/exposure_snapshot_job.h"
#include "server/jobs/margin_ingest_job.h"
#include "server/jobs/margin_status_job.h"
#include "server/jobs/nav_history_job.h"
#include "server/jobs/nav_snapshot_job.h"
#include "server/jobs/positions_job.h"
#include "server/jobs/reminders_job.h"
#include "server/jobs/swaps_job.h"
#include "server/sources/source_config.h"

namespace riskcap::server::jobs {
namespace {

void Add(JobMap& jobs, std::unique_ptr<Job> job) {
  std::string name(job->name());
  jobs[name] = std::move(job);
}

}  // namespace

JobMap MakeJobSet(const ServerConfig& config, const std::string& audit_public_key) {
  auto source = [&](std::string_view job) { return sources::SourceFor(config.sources, job); };
  JobMap jobs;
  Add(jobs, MakeMarginIngestJob(source(kMarginIngest)));
  Add(jobs, MakeNavSnapshotJob(source(kNavSnapshot)));
  Add(jobs, MakeNavHistoryJob(source(kNavHistory)));
  Add(jobs, MakePositionsJob(source(kPositions)));
  Add(jobs, MakeSwapsJob(source(kSwaps)));
  Add(jobs, MakeExposureSnapshotJob());
  Add(jobs, MakeMarginStatusJob());
  Add(jobs, MakeRemindersJob());
  Add(jobs,
      MakeBackupJob({config.backup_url, config.backup_dir, config.db_url}, audit_public_key));
  return jobs;
}

}  // namespace riskcap::server::jobs
