// JobRunner: admission, the queue and its workers, heartbeats, cancel and shutdown. Executing a
// run is in job_execution.cc.
#include "server/jobs/job_runner.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "core/job_pipeline.h"
#include "core/logger.h"
#include "core/status_macros.h"
#include "server/jobs/job_runner_internal.h"

namespace riskcap::server::jobs {
namespace {

std::string DefaultOwner() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return absl::StrCat(host[0] != '\0' ? host : "riskcapd", ":", getpid(), ":",
                      absl::ToUnixMicros(absl::Now()));
}

JobRun NewRun(std::string job, Date date, std::string params_json, const std::string& by,
              const std::string& request_id, const std::string& owner, absl::Time now) {
  JobRun run;
  run.job = std::move(job);
  run.reference_date = date;
  run.params_json = std::move(params_json);
  run.queued_at = now;
  run.triggered_by = by;
  run.request_id = request_id;
  run.owner = owner;
  run.heartbeat_at = now;
  return run;
}

// INVALID_ARGUMENT naming parameters.<key> for each key `job` does not accept.
absl::Status CheckParams(const Job& job, const std::map<std::string, std::string>& params) {
  const std::vector<std::string> accepted = job.parameter_keys();
  FieldErrors errors;
  for (const auto& [key, value] : params) {
    if (std::find(accepted.begin(), accepted.end(), key) != accepted.end()) continue;
    errors.Add(absl::StrCat("parameters.", key),
               accepted.empty()
                   ? absl::StrCat("is not a parameter of job ", AbslView(job.name()), " (it takes none)")
                   : absl::StrCat("is not a parameter of job ", AbslView(job.name()), " (one of ",
                                  absl::StrJoin(accepted, ", "), ")"));
  }
  RETURN_IF_ERROR(errors.ToStatus());
  return job.CheckParameters(params);
}

}  // namespace

JobRunner::JobRunner(db::Store& store, const Clock& clock, const rules::RulesConfig& rules,
                     JobMap jobs, JobRunnerOptions options)
    : store_(store), clock_(clock), rules_(rules), jobs_(std::move(jobs)),
      options_(std::move(options)) {
  if (options_.owner.empty()) options_.owner = DefaultOwner();
  const int workers = std::max(1, options_.workers);
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  heartbeat_ = std::thread([this] { HeartbeatLoop(); });
}

JobRunner::~JobRunner() { Shutdown(absl::ZeroDuration()); }

Job* JobRunner::FindJob(std::string_view name) const {
  auto it = jobs_.find(name);
  return it == jobs_.end() ? nullptr : it->second.get();
}

absl::Status JobRunner::CheckReferenceDate(Date date, std::string_view field) const {
  const Date today = clock_.Today();
  if (date > today) {
    return FieldError(field, absl::StrCat(FormatDate(date), " is after today (", FormatDate(today),
                                          "): runs are for dates that have happened"));
  }
  if (date < options_.earliest_reference_date) {
    return FieldError(field, absl::StrCat(FormatDate(date), " is before the earliest reference ",
                                          "date ", FormatDate(options_.earliest_reference_date),
                                          " (RISKCAP_EARLIEST_REFERENCE_DATE)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<JobRun> JobRunner::AdmitJob(const JobRequest& request) {
  RETURN_IF_ERROR(CheckReferenceDate(request.reference_date, "reference_date"));
  const Job* job = FindJob(request.job);
  if (job == nullptr || request.job == kPipeline) {
    return FieldError("job", absl::StrCat("'", request.job, "' is not a job of this server",
                                          request.job == kPipeline ? " (use RunPipeline)" : ""));
  }
  RETURN_IF_ERROR(CheckParams(*job, request.params));
  JobRun run = NewRun(request.job, request.reference_date, ParamsJson(request.params),
                      request.triggered_by, request.request_id, options_.owner, clock_.Now());
  ASSIGN_OR_RETURN(std::vector<JobRun> admitted, store_.AdmitJobRuns(run));
  return admitted.front();
}

absl::StatusOr<JobRun> JobRunner::AdmitPipeline(Date reference_date, std::string_view from_job,
                                                const std::string& triggered_by,
                                                const std::string& request_id) {
  RETURN_IF_ERROR(CheckReferenceDate(reference_date, "reference_date"));
  auto jobs = PipelineJobsFrom(from_job);
  if (!jobs.ok()) return FieldError("from_job", StdView(jobs.status().message()));
  const absl::Time now = clock_.Now();
  std::vector<JobRun> children;
  for (const std::string& name : *jobs) {
    if (FindJob(name) == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat("job ", name, " is not available"));
    }
    children.push_back(NewRun(name, reference_date, "{}", triggered_by, "", options_.owner, now));
  }
  std::map<std::string, std::string> params;
  if (!from_job.empty()) params["from_job"] = std::string(from_job);
  JobRun run = NewRun(std::string(kPipeline), reference_date, ParamsJson(params), triggered_by,
                      request_id, options_.owner, now);
  ASSIGN_OR_RETURN(std::vector<JobRun> admitted, store_.AdmitJobRuns(run, children));
  {
    std::lock_guard lock(mu_);
    for (const JobRun& r : admitted) held_.insert(r.id);  // children too: they wait QUEUED
  }
  return admitted.front();
}

absl::StatusOr<JobRun> JobRunner::AdmitBackfill(Date from, Date to, std::string_view from_job,
                                                const std::string& triggered_by,
                                                const std::string& request_id) {
  RETURN_IF_ERROR(CheckBackfillRange(from, to));
  auto jobs = PipelineJobsFrom(from_job);
  if (!jobs.ok()) return FieldError("from_job", StdView(jobs.status().message()));
  for (const std::string& name : *jobs) {
    if (FindJob(name) == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat("job ", name, " is not available"));
    }
  }
  std::map<std::string, std::string> params = {{"from_date", FormatDate(from)},
                                               {"to_date", FormatDate(to)}};
  if (!from_job.empty()) params["from_job"] = std::string(from_job);
  std::map<std::string, std::string> date_params;
  if (!from_job.empty()) date_params["from_job"] = std::string(from_job);
  const absl::Time now = clock_.Now();
  std::vector<JobRun> dates;
  for (Date d = from; d <= to; ++d) {
    if (!IsWeekday(d)) continue;
    dates.push_back(NewRun(std::string(kPipeline), d, ParamsJson(date_params), triggered_by, "",
                           options_.owner, now));
  }
  JobRun run = NewRun(std::string(kBackfill), from, ParamsJson(params), triggered_by, request_id,
                      options_.owner, now);
  ASSIGN_OR_RETURN(std::vector<JobRun> admitted, store_.AdmitJobRuns(run, dates));
  {
    std::lock_guard lock(mu_);
    for (const JobRun& r : admitted) held_.insert(r.id);  // the dates wait QUEUED
  }
  return admitted.front();
}

absl::Status JobRunner::CheckBackfillRange(Date from, Date to) const {
  RETURN_IF_ERROR(CheckReferenceDate(from, "from_date"));
  RETURN_IF_ERROR(CheckReferenceDate(to, "to_date"));
  if (to < from) {
    return FieldError("to_date", absl::StrCat(FormatDate(to), " is before from_date ",
                                              FormatDate(from)));
  }
  if (to - from > kMaxBackfillDays) {
    return FieldError("to_date", absl::StrCat("the range spans ", to - from, " days; at most ",
                                              kMaxBackfillDays, " per backfill"));
  }
  if (WeekdaysBetween(from - 1, to) == 0) {
    return FieldError("from_date", "the range holds no business day (Monday to Friday)");
  }
  return absl::OkStatus();
}

absl::Status JobRunner::Enqueue(int64_t run_id) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back({run_id});
      held_.insert(run_id);
      work_.notify_one();
      return absl::OkStatus();
    }
  }
  (void)store_.CancelJobRun(run_id, clock_.Now());
  return absl::UnavailableError("the server is shutting down; the run was cancelled");
}

absl::StatusOr<JobRun> JobRunner::RunJob(const JobRequest& request) {
  ASSIGN_OR_RETURN(JobRun run, AdmitJob(request));
  RETURN_IF_ERROR(Enqueue(run.id));
  return run;
}

absl::StatusOr<JobRun> JobRunner::RunPipeline(Date reference_date, std::string_view from_job,
                                              const std::string& triggered_by) {
  ASSIGN_OR_RETURN(JobRun run, AdmitPipeline(reference_date, from_job, triggered_by, ""));
  RETURN_IF_ERROR(Enqueue(run.id));
  return run;
}

absl::StatusOr<JobRun> JobRunner::Cancel(int64_t run_id) {
  ASSIGN_OR_RETURN(JobRun run, store_.CancelJobRun(run_id, clock_.Now()));
  {
    std::lock_guard lock(mu_);
    if (auto it = active_.find(run_id); it != active_.end()) it->second->cancel = true;
  }
  Publish();
  return run;
}

std::optional<JobRun> JobRunner::Live(int64_t run_id) const {
  std::lock_guard lock(mu_);
  auto it = active_.find(run_id);
  if (it == active_.end()) return std::nullopt;
  return it->second->run;
}

uint64_t JobRunner::WaitForChange(uint64_t seen, absl::Duration timeout) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                    [&] { return change_count_ != seen || stopping_; });
  return change_count_;
}

bool JobRunner::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void JobRunner::Publish() {
  {
    std::lock_guard lock(mu_);
    ++change_count_;
  }
  changed_.notify_all();
}

void JobRunner::WorkerLoop() {
  for (;;) {
    Queued item;
    {
      std::unique_lock lock(mu_);
      work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    Execute(item);
  }
}

void JobRunner::HeartbeatLoop() {
  for (int tick = 0;; ++tick) {
    std::vector<int64_t> held;
    {
      std::unique_lock lock(mu_);
      if (changed_.wait_for(lock, absl::ToChronoNanoseconds(options_.heartbeat_interval),
                            [&] { return stopping_; })) {
        return;
      }
      held.assign(held_.begin(), held_.end());
    }
    const absl::Time now = clock_.Now();
    auto cancelled = store_.TouchJobRuns(held, now);
    if (!cancelled.ok()) {
      Log(LogLevel::kWarning, "job heartbeat failed", {{"error", cancelled.status().ToString()}});
    } else if (!cancelled->empty()) {
      std::lock_guard lock(mu_);
      for (int64_t id : *cancelled) {
        if (auto it = active_.find(id); it != active_.end()) it->second->cancel = true;
      }
    }
    if (tick % 10 == 0) {
      auto failed = store_.FailAbandonedJobRuns(now - options_.abandon_after, now);
      if (failed.ok() && *failed > 0) {
        Log(LogLevel::kWarning, "failed abandoned job runs", {{"count", *failed}});
        Publish();
      }
    }
  }
}

void JobRunner::Hold(int64_t run_id) {
  std::lock_guard lock(mu_);
  held_.insert(run_id);
}

void JobRunner::Release(int64_t run_id) {
  std::lock_guard lock(mu_);
  held_.erase(run_id);
}

void JobRunner::Shutdown(absl::Duration deadline) {
  std::deque<Queued> never_started;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    never_started.swap(queue_);
    for (auto& [id, active] : active_) active->cancel = true;
  }
  work_.notify_all();
  changed_.notify_all();
  for (const Queued& item : never_started) (void)store_.CancelJobRun(item.id, clock_.Now());
  {
    std::unique_lock lock(mu_);
    idle_.wait_for(lock, absl::ToChronoNanoseconds(deadline), [&] { return active_.empty(); });
    for (auto& [id, active] : active_) {
      Log(LogLevel::kWarning, "job run still executing at shutdown; marked failed", {{"run", id}});
      JobRun run = active->run;
      run.state = JobState::kFailed;
      run.finished_at = clock_.Now();
      run.error = "abandoned: server stopped before the run finished";
      (void)store_.FinishJobRun(run);
    }
  }
  heartbeat_.join();
  for (std::thread& t : workers_) t.join();
}

}  // namespace riskcap::server::jobs
