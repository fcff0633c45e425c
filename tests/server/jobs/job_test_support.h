// Test support for the job runner and JobService: scripted test-only jobs (succeed, fail, block
// until released, write a NAV history version) and polling with deadlines.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/canonical.h"
#include "core/job_pipeline.h"
#include "core/status_macros.h"
#include "db/sha256.h"
#include "server/jobs/job.h"
#include "server/jobs/job_runner.h"
#include "tests/testing/wait.h"

namespace riskcap::testing {

enum class Behavior { kSucceed, kFail, kBlock, kWriteNavHistory };

// What the scripted jobs do, and what they did. Shared by every job (and every server) of a test.
class JobScript {
 public:
  void Set(const std::string& job, Behavior b) {
    std::lock_guard lock(mu_);
    behavior_[job] = b;
  }
  Behavior Get(const std::string& job) {
    std::lock_guard lock(mu_);
    auto it = behavior_.find(job);
    return it == behavior_.end() ? Behavior::kSucceed : it->second;
  }
  void Started(const std::string& job, Date date = Date()) {
    std::lock_guard lock(mu_);
    executed_.push_back(job);
    executed_on_.push_back(absl::StrCat(job, " ", FormatDate(date)));
  }
  // "job YYYY-MM-DD" of every execution, in order.
  std::vector<std::string> ExecutedOn() {
    std::lock_guard lock(mu_);
    return executed_on_;
  }
  // `job` fails on `date` (whatever its behavior), until Clear.
  void FailOn(const std::string& job, Date date) {
    std::lock_guard lock(mu_);
    fail_on_.insert(absl::StrCat(job, " ", FormatDate(date)));
  }
  void ClearFailures() {
    std::lock_guard lock(mu_);
    fail_on_.clear();
  }
  bool FailsOn(const std::string& job, Date date) {
    std::lock_guard lock(mu_);
    return fail_on_.count(absl::StrCat(job, " ", FormatDate(date))) > 0;
  }
  // Succeeding jobs report content hash SHA-256("<job> <date> <revision>"); empty revision (the
  // default): no hash. A new revision stands for changed inputs.
  void SetRevision(const std::string& revision) {
    std::lock_guard lock(mu_);
    revision_ = revision;
  }
  std::string HashOf(const std::string& job, Date date) {
    std::lock_guard lock(mu_);
    if (revision_.empty()) return "";
    return db::Sha256Hex(absl::StrCat(job, " ", FormatDate(date), " ", revision_));
  }
  std::vector<std::string> Executed() {
    std::lock_guard lock(mu_);
    return executed_;
  }
  int Executions(const std::string& job) {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const std::string& j : executed_) n += j == job ? 1 : 0;
    return n;
  }
  // Lets blocked jobs (and those that block later) finish.
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  // Blocks jobs again (after the released ones finished).
  void Rearm() {
    std::lock_guard lock(mu_);
    released_ = false;
  }
  // Blocks the job until released or cancelled (then returns false).
  bool Block(const server::jobs::JobContext& context) {
    std::unique_lock lock(mu_);
    ++blocked_;
    cv_.notify_all();
    for (int64_t i = 0; !released_; ++i) {
      lock.unlock();
      context.Progress("waiting", std::min<int64_t>(i, 99), 100);
      const bool cancelled = !context.CheckCancelled("waiting").ok();
      lock.lock();
      if (cancelled) break;
      cv_.wait_for(lock, std::chrono::milliseconds(2));
    }
    --blocked_;
    cv_.notify_all();
    return released_;
  }
  // Waits until `n` jobs are blocked; false after 10 s.
  bool WaitUntilBlocked(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return blocked_ >= n; });
  }
  int blocked() {
    std::lock_guard lock(mu_);
    return blocked_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Behavior> behavior_;
  std::vector<std::string> executed_;
  std::vector<std::string> executed_on_;
  std::set<std::string> fail_on_;
  std::string revision_;
  bool released_ = false;
  int blocked_ = 0;
};

// A job that does what the script says for its name.
class ScriptedJob final : public server::jobs::Job {
 public:
  ScriptedJob(std::string name, JobScript& script) : name_(std::move(name)), script_(script) {}
  std::string_view name() const override { return name_; }
  std::vector<std::string> parameter_keys() const override { return {"note"}; }

  absl::StatusOr<server::jobs::JobOutput> Run(server::jobs::JobContext& context) override {
    script_.Started(name_, context.reference_date());
    server::jobs::JobOutput out;
    out.rows_read = 1;
    out.summary = absl::StrCat("ok ", name_);
    out.content_hash = script_.HashOf(name_, context.reference_date());
    if (script_.FailsOn(name_, context.reference_date())) {
      return absl::FailedPreconditionError(absl::StrCat("feed for ", name_, " is empty"));
    }
    switch (script_.Get(name_)) {
      case Behavior::kSucceed:
        context.Progress("working", 1, 1);
        return out;
      case Behavior::kFail:
        return absl::FailedPreconditionError(absl::StrCat("feed for ", name_, " is empty"));
      case Behavior::kBlock:
        if (!script_.Block(context)) return context.CheckCancelled("waiting");
        RETURN_IF_ERROR(context.CheckCancelled("applying"));
        return out;
      case Behavior::kWriteNavHistory:
        return WriteNavHistory(context);
    }
    return absl::InternalError("unreachable");
  }

 private:
  absl::StatusOr<server::jobs::JobOutput> WriteNavHistory(server::jobs::JobContext& context) {
    std::vector<NavHistoryEntry> rows = {{101, context.reference_date(),
                                          Money::FromMicros(1'000'000'000),
                                          Money::FromMicros(1'010'000'000)}};
    const std::string hash = db::Sha256Hex(CanonicalBatch(rows));
    RETURN_IF_ERROR(context.CheckCancelled("applying"));
    ASSIGN_OR_RETURN(SnapshotVersion v,
                     context.store().WriteNavHistory(
                         {context.reference_date(), hash, context.run_id(), std::nullopt, "test"},
                         rows));
    server::jobs::JobOutput out;
    out.rows_read = 1;
    out.rows_written = 1;
    out.content_hash = hash;
    out.output_version_id = v.id;
    out.summary = absl::StrCat("wrote 1 NAV history row (v", v.version, ")");
    return out;
  }

  std::string name_;
  JobScript& script_;
};

// Every pipeline job and backup, scripted by `script`.
inline server::jobs::JobMap ScriptedJobs(JobScript& script) {
  server::jobs::JobMap jobs;
  std::vector<std::string> names = PipelineJobs();
  names.push_back("backup");
  for (const std::string& name : names) jobs[name] = std::make_unique<ScriptedJob>(name, script);
  return jobs;
}

// Fast heartbeats and progress, so cross-server cancel and watching are quick in tests.
inline server::jobs::JobRunnerOptions FastRunnerOptions(std::string owner = "") {
  server::jobs::JobRunnerOptions options;
  options.workers = 2;
  options.owner = std::move(owner);
  options.heartbeat_interval = absl::Milliseconds(20);
  options.progress_interval = absl::Milliseconds(20);
  return options;
}

// Polls `done` every 5 ms for up to 30 s.
// The deadline is generous: on a loaded 2-core machine (a parallel build, the sanitizers) every
// commit of a job's state may wait on a slow fsync; a passing test never waits for it.
inline bool Eventually(const std::function<bool()>& done) {
  return WaitFor(done, absl::Seconds(30), absl::Milliseconds(5)).has_value();
}

// The run once it reaches a final state (or as it is after 30 s).
inline JobRun WaitFinal(db::Store& store, int64_t id) {
  JobRun run;
  Eventually([&] {
    auto got = store.GetJobRun(id);
    if (got.ok()) run = *got;
    return got.ok() && IsFinalJobState(got->state);
  });
  return run;
}

}  // namespace riskcap::testing
