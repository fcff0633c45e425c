// JobRunner: executing a job run or a pipeline, with coalesced progress and cancellation.
#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/job_pipeline.h"
#include "server/jobs/job_params.h"
#include "core/logger.h"
#include "db/sha256.h"
#include "db/store_error.h"
#include "server/jobs/job_runner.h"
#include "server/jobs/job_runner_internal.h"

namespace riskcap::server::jobs {
namespace {

// "writing positions (12000/48000)"; the phase alone when no rows were counted.
std::string ProgressText(std::string_view phase, int64_t done, int64_t expected) {
  if (done == 0 && expected == 0) return std::string(phase);
  if (expected == 0) return absl::StrCat(AbslView(phase), " (", done, ")");
  return absl::StrCat(AbslView(phase), " (", done, "/", expected, ")");
}

// How long RecordFinal waits before its first retry, and at most between two.
constexpr absl::Duration kFinishRetryFirst = absl::Milliseconds(100);
constexpr absl::Duration kFinishRetryMost = absl::Seconds(2);

}  // namespace

std::string PipelineHash(const std::vector<std::pair<std::string, std::string>>& job_hashes) {
  std::string text;
  for (const auto& [job, hash] : job_hashes) absl::StrAppend(&text, job, " ", hash, "\n");
  return db::Sha256Hex(text);
}

std::map<std::string, std::string> ParamsOf(const JobRun& run) {
  auto params = ParseParamsJson(run.params_json);
  return params.ok() ? *params : std::map<std::string, std::string>{};
}

void JobRunner::Execute(const Queued& item) {
  auto run = store_.GetJobRun(item.id);
  if (run.ok() && run->state == JobState::kQueued) {
    if (run->job == kPipeline) {
      ExecutePipeline(*run);
    } else if (run->job == kBackfill) {
      ExecuteBackfill(*run);
    } else {
      ExecuteJob(*run, ParamsOf(*run), nullptr);
    }
  }
  Forget(item.id);
}

std::shared_ptr<JobRunner::Active> JobRunner::Register(const JobRun& run) {
  auto active = std::make_shared<Active>();
  active->run = run;
  active->last_persisted = absl::Now();
  {
    std::lock_guard lock(mu_);
    active_[run.id] = active;
    if (stopping_) active->cancel = true;
  }
  Publish();
  return active;
}

void JobRunner::Forget(int64_t run_id) {
  {
    std::lock_guard lock(mu_);
    active_.erase(run_id);
    held_.erase(run_id);
  }
  idle_.notify_all();
  Publish();
}

void JobRunner::OnProgress(Active& active, std::string_view phase, int64_t done,
                           int64_t expected) {
  JobRun snapshot;
  bool persist = false;
  {
    std::lock_guard lock(mu_);
    active.run.progress_message = ProgressText(phase, done, expected);
    active.run.rows_read = done;
    active.run.rows_expected = expected;
    const absl::Time now = absl::Now();
    if (now - active.last_persisted >= options_.progress_interval) {
      active.last_persisted = now;
      snapshot = active.run;
      persist = true;
    }
  }
  Publish();
  if (persist) (void)store_.RecordJobRunProgress(snapshot, clock_.Now());
}

absl::Status JobRunner::RecordFinal(const JobRun& run) {
  absl::Status stored = store_.FinishJobRun(run);
  if (!absl::IsUnavailable(stored)) return stored;
  // The store is down or busy. Left RUNNING, the run would block reruns of its job and date
  // until the abandon sweep; the outcome is known, so keep trying to record it.
  Log(LogLevel::kWarning, "cannot record job run outcome yet; retrying",
      {{"run", run.id}, {"state", EnumName(run.state)}, {"error", StdView(stored.message())}});
  {
    // Still RUNNING to readers, like the store says (a rerun is refused until it is recorded),
    // but saying why.
    std::lock_guard lock(mu_);
    if (auto it = active_.find(run.id); it != active_.end()) {
      it->second->run.progress_message = absl::StrCat(
          "finished ", AbslView(EnumName(run.state)), "; recording it once the store answers");
    }
  }
  Publish();
  const absl::Time give_up = absl::Now() + options_.abandon_after;
  absl::Duration backoff = kFinishRetryFirst;
  int attempts = 1;
  while (absl::IsUnavailable(stored)) {
    const absl::Duration left = give_up - absl::Now();
    if (left <= absl::ZeroDuration()) break;
    bool stopping = false;
    {
      std::unique_lock lock(mu_);
      stopping = changed_.wait_for(lock, absl::ToChronoNanoseconds(std::min(backoff, left)),
                                   [&] { return stopping_; });
    }
    backoff = std::min(2 * backoff, kFinishRetryMost);
    stored = store_.FinishJobRun(run);
    ++attempts;
    if (stopping) break;  // one last attempt; Shutdown deals with what is left
  }
  if (stored.ok()) {
    Log(LogLevel::kInfo, "job run outcome recorded after retrying",
        {{"run", run.id}, {"state", EnumName(run.state)}, {"attempts", attempts}});
  }
  return stored;
}

JobRun JobRunner::Finish(JobRun run) {
  run.finished_at = clock_.Now();
  absl::Status stored = RecordFinal(run);
  if (!stored.ok()) {
    // Already final (cancelled while queued, or failed as abandoned): the store's state stands.
    auto now = store_.GetJobRun(run.id);
    if (now.ok()) run = *now;
    if (!absl::IsFailedPrecondition(stored)) {
      Log(LogLevel::kError, "cannot record job run outcome; left to the abandon sweep",
          {{"run", run.id}, {"error", stored.ToString()}});
    }
  }
  {
    std::lock_guard lock(mu_);
    active_.erase(run.id);
  }
  idle_.notify_all();
  Publish();
  if (options_.on_finished) options_.on_finished(run);
  return run;
}

JobRun JobRunner::ExecuteJob(JobRun run, const std::map<std::string, std::string>& params,
                             const std::shared_ptr<Active>& parent) {
  Job* job = FindJob(run.job);
  if (job == nullptr) {
    run.state = JobState::kFailed;
    run.error = absl::StrCat("job ", run.job, " is not available on this server");
    return Finish(run);
  }
  auto lock = store_.LockJobExecution(run.job, run.reference_date);
  if (!lock.ok()) {
    run.state = JobState::kFailed;
    run.error = std::string(lock.status().message());
    return Finish(run);
  }
  auto started = store_.StartJobRun(run.id, options_.owner, clock_.Now());
  if (!started.ok()) {  // cancelled (or taken) before it started: the store has its state
    auto now = store_.GetJobRun(run.id);
    Publish();
    return now.ok() ? *now : run;
  }
  std::shared_ptr<Active> active = Register(*started);
  return Finish(RunJobBody(*job, active, parent, params));
}

JobRun JobRunner::RunJobBody(Job& job, const std::shared_ptr<Active>& active,
                             const std::shared_ptr<Active>& parent,
                             const std::map<std::string, std::string>& params) {
  JobContext::Hooks hooks;
  hooks.progress = [this, a = active.get()](std::string_view phase, int64_t done,
                                            int64_t expected) {
    OnProgress(*a, phase, done, expected);
  };
  hooks.cancel_requested = [a = active.get(), p = parent.get()] {
    return a->cancel.load() || (p != nullptr && p->cancel.load());
  };
  hooks.finding_raised = options_.on_finding;
  JobRun run;
  {
    std::lock_guard lock(mu_);
    run = active->run;
  }
  JobContext context(store_, clock_, rules_, run.id, run.job, run.reference_date, params, hooks,
                     options_.finding_delivery);
  absl::StatusOr<JobOutput> output;
  try {
    output = job.Run(context);
  } catch (const std::exception& e) {
    output = absl::InternalError(absl::StrCat("job ", run.job, " threw: ", e.what()));
  }
  {
    std::lock_guard lock(mu_);
    run = active->run;  // with the latest progress
  }
  if (output.ok()) {
    run.state = JobState::kSucceeded;
    run.rows_read = output->rows_read;
    run.rows_written = output->rows_written;
    run.output_hash = output->content_hash;
    run.output_version_id = output->output_version_id;
    run.progress_message = output->summary;
  } else {
    run.state = absl::IsCancelled(output.status()) ? JobState::kCancelled : JobState::kFailed;
    run.error = std::string(output.status().message());
    // The run keeps the generic text readers may see; the driver's detail goes to the log only.
    if (auto detail = db::StoreErrorDetail(output.status())) {
      Log(LogLevel::kWarning, "job run failed on the store",
          {{"run", run.id}, {"job", run.job}, {"detail", *detail}});
    }
  }
  return run;
}

JobRun JobRunner::ExecutePipeline(JobRun run) {
  auto lock = store_.LockJobExecution(run.job, run.reference_date);
  auto started = store_.StartJobRun(run.id, options_.owner, clock_.Now());
  if (!lock.ok() || !started.ok()) {
    (void)store_.CancelJobRun(run.id, clock_.Now());  // its children must not wait forever
    auto now = store_.GetJobRun(run.id);
    return now.ok() ? *now : run;
  }
  std::shared_ptr<Active> pipeline = Register(*started);
  auto children = store_.ListJobRuns({.parent_run_id = run.id}, db::Page{0, 1000});
  if (!children.ok()) {
    started->state = JobState::kFailed;
    started->error = absl::StrCat("cannot list the pipeline's jobs: ", children.status().message());
    return Finish(*started);
  }
  return Finish(RunChildren(*started, *children, pipeline));
}

namespace {

// A pipeline child that will not run, as it is finished: CANCELLED with `reason`.
JobRun Skipped(JobRun child, std::string reason) {
  child.state = JobState::kCancelled;
  child.error = std::move(reason);
  return child;
}

}  // namespace

// One child: executed, or skipped when the pipeline was cancelled before its turn.
JobRun JobRunner::RunChild(const JobRun& child, const std::shared_ptr<Active>& pipeline) {
  if (!pipeline->cancel) return ExecuteJob(child, {}, pipeline);
  return Finish(Skipped(child, "skipped: pipeline cancelled"));
}

JobRun JobRunner::RunChildren(JobRun outcome, const std::vector<JobRun>& children,
                              const std::shared_ptr<Active>& pipeline) {
  outcome.state = JobState::kSucceeded;
  std::string skip_reason;
  const int64_t total = static_cast<int64_t>(children.size());
  int64_t rows_read = 0, rows_written = 0, done = 0;
  std::vector<std::pair<std::string, std::string>> hashes;  // (job, output hash) in order
  for (const JobRun& child : children) {
    if (!skip_reason.empty()) {  // an earlier child failed or was cancelled
      Finish(Skipped(child, skip_reason));
      Forget(child.id);
      continue;
    }
    OnProgress(*pipeline, absl::StrCat("running ", child.job), done++, total);
    JobRun finished = RunChild(child, pipeline);
    Forget(child.id);
    rows_read += finished.rows_read;
    rows_written += finished.rows_written;
    hashes.emplace_back(finished.job, finished.output_hash);
    if (finished.state == JobState::kSucceeded) continue;
    const bool failed = finished.state == JobState::kFailed;
    outcome.state = failed ? JobState::kFailed : JobState::kCancelled;
    outcome.error = absl::StrCat(child.job, failed ? " failed: " : " was cancelled: ",
                                 finished.error);
    skip_reason = absl::StrCat("skipped: ", child.job, failed ? " failed" : " was cancelled");
  }
  {
    std::lock_guard guard(mu_);
    outcome.progress_message = pipeline->run.progress_message;
  }
  outcome.rows_read = rows_read;
  outcome.rows_written = rows_written;
  outcome.rows_expected = 0;
  if (outcome.state == JobState::kSucceeded) {
    outcome.progress_message = absl::StrCat("ran ", total, " jobs");
    outcome.output_hash = PipelineHash(hashes);
  }
  return outcome;
}

}  // namespace riskcap::server::jobs
