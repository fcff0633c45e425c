// JobRunner: executing a backfill, the pipeline for each business day of a range, oldest first,
// resuming after an earlier attempt that did not succeed.
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/job_pipeline.h"
#include "core/status_macros.h"
#include "server/jobs/job_runner.h"
#include "server/jobs/job_runner_internal.h"

namespace riskcap::server::jobs {
namespace {

constexpr int kPage = 1000;

// Every child of run `id`, oldest first (a backfill has up to ~2,600 dates).
absl::StatusOr<std::vector<JobRun>> ChildrenOf(db::Store& store, int64_t id) {
  std::vector<JobRun> all;
  db::Page page{0, kPage};
  while (true) {
    ASSIGN_OR_RETURN(std::vector<JobRun> rows, store.ListJobRuns({.parent_run_id = id}, page));
    for (JobRun& r : rows) all.push_back(std::move(r));
    if (rows.size() < static_cast<size_t>(kPage)) return all;
    page.after_id = all.back().id;
  }
}

JobRun Ended(JobRun run, JobState state, std::string error) {
  run.state = state;
  run.error = std::move(error);
  return run;
}

}  // namespace

absl::StatusOr<std::string> JobRunner::CurrentPipelineHash(Date date, const std::string& from_job) {
  ASSIGN_OR_RETURN(std::vector<std::string> jobs, PipelineJobsFrom(from_job));
  std::vector<std::pair<std::string, std::string>> hashes;
  for (const std::string& job : jobs) {
    db::JobRunFilter filter{.job = job, .reference_date = date, .state = JobState::kSucceeded,
                            .newest_first = true};
    ASSIGN_OR_RETURN(std::vector<JobRun> latest, store_.ListJobRuns(filter, db::Page{0, 1}));
    if (latest.empty()) return std::string();  // never succeeded: nothing to compare with
    hashes.emplace_back(job, latest.front().output_hash);
  }
  return PipelineHash(hashes);
}

absl::StatusOr<std::map<Date, JobRun>> JobRunner::ResumableDates(const JobRun& run) {
  std::map<Date, JobRun> done;
  db::JobRunFilter filter{.job = std::string(kBackfill), .newest_first = true};
  db::Page page{run.id, kPage};  // newest first: ids below this run's
  while (true) {
    ASSIGN_OR_RETURN(std::vector<JobRun> earlier, store_.ListJobRuns(filter, page));
    for (const JobRun& e : earlier) {
      if (e.params_json != run.params_json || !IsFinalJobState(e.state)) continue;
      if (e.state == JobState::kSucceeded) return done;  // a finished rebuild: run every date
      ASSIGN_OR_RETURN(std::vector<JobRun> children, ChildrenOf(store_, e.id));
      for (JobRun& c : children) {
        if (c.state == JobState::kSucceeded) done.emplace(c.reference_date, std::move(c));
      }
      return done;
    }
    if (earlier.size() < static_cast<size_t>(kPage)) return done;
    page.after_id = earlier.back().id;
  }
}

JobRun JobRunner::RunBackfillDate(const JobRun& date_run, const std::string& from_job,
                                  const std::optional<JobRun>& previous,
                                  const std::shared_ptr<Active>& backfill) {
  if (previous && !previous->output_hash.empty()) {
    auto now = CurrentPipelineHash(date_run.reference_date, from_job);
    if (now.ok() && *now == previous->output_hash) {
      JobRun skipped = date_run;
      skipped.state = JobState::kSucceeded;
      skipped.output_hash = previous->output_hash;
      skipped.progress_message = absl::StrCat("skipped: succeeded as job run ", previous->id,
                                              " and its jobs' outputs are unchanged");
      return Finish(skipped);
    }
  }
  if (backfill->cancel) {
    return Finish(Ended(date_run, JobState::kCancelled, "skipped: backfill cancelled"));
  }
  auto jobs = PipelineJobsFrom(from_job);
  if (!jobs.ok()) {
    return Finish(Ended(date_run, JobState::kFailed, std::string(jobs.status().message())));
  }
  std::vector<JobRun> children;
  for (const std::string& job : *jobs) {
    JobRun child = date_run;
    child.id = 0;
    child.job = job;
    child.params_json = "{}";
    child.queued_at = clock_.Now();
    children.push_back(std::move(child));
  }
  auto admitted = store_.AdmitChildJobRuns(date_run.id, children);
  if (!admitted.ok()) {
    return Finish(Ended(date_run, JobState::kFailed, std::string(admitted.status().message())));
  }
  {
    std::lock_guard lock(mu_);
    for (const JobRun& r : *admitted) held_.insert(r.id);
  }
  JobRun finished = ExecutePipeline(date_run);
  for (const JobRun& r : *admitted) {  // a pipeline that never started leaves its jobs QUEUED
    if (!finished.started_at) (void)store_.CancelJobRun(r.id, clock_.Now());
    Forget(r.id);
  }
  return finished;
}

JobRun JobRunner::ExecuteBackfill(JobRun run) {
  auto lock = store_.LockJobExecution(run.job, run.reference_date);
  auto started = store_.StartJobRun(run.id, options_.owner, clock_.Now());
  if (!lock.ok() || !started.ok()) {
    (void)store_.CancelJobRun(run.id, clock_.Now());  // its dates must not wait forever
    auto now = store_.GetJobRun(run.id);
    return now.ok() ? *now : run;
  }
  std::shared_ptr<Active> backfill = Register(*started);
  auto dates = ChildrenOf(store_, run.id);
  auto resumable = ResumableDates(*started);
  if (!dates.ok() || !resumable.ok()) {
    const absl::Status& error = !dates.ok() ? dates.status() : resumable.status();
    return Finish(Ended(*started, JobState::kFailed,
                        absl::StrCat("cannot list the backfill's dates: ", error.message())));
  }
  const std::string from_job = ParamsOf(run)["from_job"];
  JobRun outcome = *started;
  outcome.state = JobState::kSucceeded;
  std::string skip_reason;
  const int64_t total = static_cast<int64_t>(dates->size());
  int64_t done = 0, skipped = 0;
  for (const JobRun& date_run : *dates) {
    if (skip_reason.empty() && backfill->cancel) skip_reason = "skipped: backfill cancelled";
    if (!skip_reason.empty()) {
      Finish(Ended(date_run, JobState::kCancelled, skip_reason));
      Forget(date_run.id);
      continue;
    }
    const std::string day = FormatDate(date_run.reference_date);
    OnProgress(*backfill, absl::StrCat("pipeline for ", day), done++, total);
    auto previous = resumable->find(date_run.reference_date);
    JobRun finished = RunBackfillDate(
        date_run, from_job,
        previous == resumable->end() ? std::nullopt : std::optional<JobRun>(previous->second),
        backfill);
    Forget(date_run.id);
    outcome.rows_read += finished.rows_read;
    outcome.rows_written += finished.rows_written;
    if (finished.state == JobState::kSucceeded) {
      skipped += finished.started_at ? 0 : 1;
      continue;
    }
    const bool failed = finished.state == JobState::kFailed;
    outcome.state = failed ? JobState::kFailed : JobState::kCancelled;
    outcome.error = absl::StrCat("pipeline for ", day, failed ? " failed: " : " was cancelled: ",
                                 finished.error);
    skip_reason =
        absl::StrCat("skipped: pipeline for ", day, failed ? " failed" : " was cancelled");
  }
  outcome.rows_expected = 0;
  outcome.progress_message = absl::StrCat("ran the pipeline for ", total - skipped, " of ", total,
                                          " dates (", skipped, " done by an earlier attempt)");
  return Finish(outcome);
}

}  // namespace riskcap::server::jobs
