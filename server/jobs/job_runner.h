// The job runner: admits job and pipeline runs, executes them on a bounded worker pool, records
// their progress and outcome on the run, and tells in-process watchers about every change.
//
// Once at a time: admission inserts the run QUEUED, and the store's one-active-run index refuses
// a second QUEUED or RUNNING run of the same (job, reference date) on any server sharing the
// database (FAILED_PRECONDITION naming the active run). While a run executes, its server holds
// the store's execution lock for (job, date) (a PostgreSQL advisory lock) as belt and braces.
//
// Liveness: every heartbeat interval the runner touches the runs it holds (queued or running)
// and learns which of them have a cancel requested in the database, so a CancelJobRun served by
// another replica reaches the executor within one interval. Runs whose heartbeat is older than
// `abandon_after` (their server died) are failed "abandoned: server stopped" by whichever runner
// sweeps first.
//
// Thread safety: safe for concurrent use.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/job_run.h"
#include "core/rules/rules_config.h"
#include "db/store.h"
#include "server/jobs/job.h"

namespace riskcap::server::jobs {

using JobMap = std::map<std::string, std::unique_ptr<Job>, std::less<>>;

// A backfill run: the pipeline for every business day of a range, one pipeline child per date.
inline constexpr std::string_view kBackfill = "backfill";
// The longest backfill range, in days from its first to its last day (about ten years).
inline constexpr int kMaxBackfillDays = 3660;

struct JobRunnerOptions {
  int workers = 2;    // runs executed at once (a pipeline occupies one worker for all its jobs)
  std::string owner;  // this server's name in job_runs.owner; empty = "<host>:<pid>:<start>"
  absl::Duration heartbeat_interval = absl::Milliseconds(500);
  absl::Duration abandon_after = absl::Seconds(30);
  absl::Duration progress_interval = absl::Milliseconds(250);  // progress persisted at most this often
  // Called after a job stores a finding (JobContext::RaiseFinding), e.g. to wake WatchFindings.
  std::function<void(const Finding&, bool created)> on_finding;
  // Which findings jobs queue for delivery as they raise them (RISKCAP_NOTIFY_CRITICAL_FINDINGS).
  FindingDelivery finding_delivery = FindingDelivery::kNone;
  // Called with each run this runner finished (job, pipeline or backfill), in its final state
  // as stored, e.g. for the server's metrics.
  std::function<void(const JobRun&)> on_finished;
  // No run is admitted for a reference date before this (RISKCAP_EARLIEST_REFERENCE_DATE) or
  // after today by the runner's clock.
  Date earliest_reference_date = Date(2000, 1, 1);
};

// What a caller asks to run.
struct JobRequest {
  std::string job;
  Date reference_date;
  std::map<std::string, std::string> params;
  std::string triggered_by;
  std::string request_id;
};

class JobRunner {
 public:
  JobRunner(db::Store& store, const Clock& clock, const rules::RulesConfig& rules, JobMap jobs,
            JobRunnerOptions options = {});
  // Shuts down with a zero deadline if Shutdown was not called.
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // The job called `name`, or nullptr.
  Job* FindJob(std::string_view name) const;
  const std::string& owner() const { return options_.owner; }

  // INVALID_ARGUMENT naming `field` when `date` is after today (the clock's) or before the
  // earliest reference date: a run for it would disturb the real dates' results.
  absl::Status CheckReferenceDate(Date date, std::string_view field) const;

  // Validates the request and inserts the run QUEUED (store calls join a caller's
  // WriteTogether transaction). INVALID_ARGUMENT naming `reference_date` (CheckReferenceDate),
  // `job` or `parameters.<key>`;
  // FAILED_PRECONDITION naming the active run of the same (job, date). Call Enqueue once the
  // admission is committed.
  absl::StatusOr<JobRun> AdmitJob(const JobRequest& request);
  // Inserts a "pipeline" run and its children (QUEUED, one per job from `from_job` onward in
  // pipeline order) in one transaction; errors as AdmitJob, naming `from_job`.
  absl::StatusOr<JobRun> AdmitPipeline(Date reference_date, std::string_view from_job,
                                       const std::string& triggered_by,
                                       const std::string& request_id);
  // Inserts a "backfill" run (reference date `from`) and one QUEUED "pipeline" child per business
  // day (Mon-Fri) of [from, to], oldest first, in one transaction; each date's jobs are admitted
  // when its turn comes. INVALID_ARGUMENT naming from_date / to_date for a range that is reversed,
  // longer than kMaxBackfillDays, outside CheckReferenceDate or without a business day, and
  // naming from_job as AdmitPipeline. Executed, it runs the dates in order and stops at the first
  // that does not succeed. Resuming: when the latest earlier backfill with the same range and
  // from_job did not succeed, each date it completed is skipped (SUCCEEDED, "skipped: ...") as
  // long as the latest successful run of each of the date's jobs still has the output hash that
  // backfill recorded (the date pipeline's output hash covers its jobs' hashes).
  // INVALID_ARGUMENT naming from_date / to_date unless [from, to] is a valid backfill range.
  absl::Status CheckBackfillRange(Date from, Date to) const;
  absl::StatusOr<JobRun> AdmitBackfill(Date from, Date to, std::string_view from_job,
                                       const std::string& triggered_by,
                                       const std::string& request_id);
  // Hands an admitted run to the workers. After Shutdown: cancels the run, UNAVAILABLE.
  absl::Status Enqueue(int64_t run_id);
  // Admit + Enqueue; returns the QUEUED run at once.
  absl::StatusOr<JobRun> RunJob(const JobRequest& request);
  absl::StatusOr<JobRun> RunPipeline(Date reference_date, std::string_view from_job,
                                     const std::string& triggered_by);

  // Heartbeats a run that this server executes outside the workers (an ingest upload's write)
  // until Release, so that no runner fails it as abandoned while it is alive.
  void Hold(int64_t run_id);
  void Release(int64_t run_id);

  // Cancels the run (Store::CancelJobRun) and, when it executes here, stops it at its next
  // checkpoint without waiting for the heartbeat.
  absl::StatusOr<JobRun> Cancel(int64_t run_id);

  // The run as this server last saw it while executing it here (fresher than the store between
  // coalesced progress writes); nullopt when it does not execute here.
  std::optional<JobRun> Live(int64_t run_id) const;
  // Waits until something changed since `seen` (a value this returned before; 0 at first), for
  // at most `timeout`, and returns the new change count. Returns at once once stopping.
  uint64_t WaitForChange(uint64_t seen, absl::Duration timeout) const;
  bool stopping() const;

  // Stops accepting runs, cancels queued ones, asks running ones to stop at their next checkpoint
  // and waits for them until `deadline` has passed; runs still executing then are marked FAILED
  // "abandoned: server stopped before the run finished". Joins the workers (a job that never
  // reaches a checkpoint delays this until it returns). Idempotent.
  void Shutdown(absl::Duration deadline);

 private:
  struct Active;  // a run executing here
  struct Queued {
    int64_t id;
  };

  void WorkerLoop();
  void HeartbeatLoop();
  void Execute(const Queued& item);
  JobRun ExecutePipeline(JobRun run);
  JobRun ExecuteBackfill(JobRun run);  // backfill_execution.cc
  // One date of a backfill: skipped when `previous` (the earlier attempt's child for the date)
  // still holds, else its jobs are admitted and it runs as a pipeline.
  JobRun RunBackfillDate(const JobRun& date_run, const std::string& from_job,
                         const std::optional<JobRun>& previous,
                         const std::shared_ptr<Active>& backfill);
  // The date children SUCCEEDED by the latest earlier backfill like `run`, when that one did
  // not succeed; empty otherwise.
  absl::StatusOr<std::map<Date, JobRun>> ResumableDates(const JobRun& run);
  // The hash a pipeline for `date` from `from_job` would record now: over the output hashes of
  // the latest successful run of each of its jobs for the date.
  absl::StatusOr<std::string> CurrentPipelineHash(Date date, const std::string& from_job);
  // Runs a pipeline's children in order, skipping the rest after one fails or is cancelled, and
  // returns the pipeline's outcome (not yet stored).
  JobRun RunChildren(JobRun outcome, const std::vector<JobRun>& children,
                     const std::shared_ptr<Active>& pipeline);
  JobRun RunChild(const JobRun& child, const std::shared_ptr<Active>& pipeline);
  // Executes one job run; `parent` is its pipeline's Active, if any. Returns the final run.
  JobRun ExecuteJob(JobRun run, const std::map<std::string, std::string>& params,
                    const std::shared_ptr<Active>& parent);
  JobRun RunJobBody(Job& job, const std::shared_ptr<Active>& active,
                    const std::shared_ptr<Active>& parent,
                    const std::map<std::string, std::string>& params);
  std::shared_ptr<Active> Register(const JobRun& run);
  void OnProgress(Active& active, std::string_view phase, int64_t done, int64_t expected);
  // Stores `run` (final) and forgets it; when the store already has a final state, returns that.
  JobRun Finish(JobRun run);
  // Store::FinishJobRun, retried while the store is UNAVAILABLE (down, or locked past its busy
  // timeout) with a back-off of at most 2 s, for up to `abandon_after` and no longer once
  // stopping: the run ends in its real state when the store is back, not as abandoned.
  absl::Status RecordFinal(const JobRun& run);
  void Forget(int64_t run_id);
  void Publish();

  db::Store& store_;
  const Clock& clock_;
  const rules::RulesConfig& rules_;
  const JobMap jobs_;
  JobRunnerOptions options_;

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // change_count_ moved, or stopping_
  std::condition_variable work_;             // queue_ grew, or stopping_
  std::condition_variable idle_;             // active_ shrank
  std::deque<Queued> queue_;                 // guarded by mu_
  std::set<int64_t> held_;                   // ids this server heartbeats; guarded by mu_
  std::map<int64_t, std::shared_ptr<Active>> active_;  // guarded by mu_
  uint64_t change_count_ = 1;                // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  bool stopped_ = false;                     // guarded by mu_
  std::vector<std::thread> workers_;
  std::thread heartbeat_;
};

}  // namespace riskcap::server::jobs
