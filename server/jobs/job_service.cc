// JobService: validation, idempotent admission through the job runner, reads and the watch stream.
#include "server/jobs/job_service.h"

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/job_pipeline.h"
#include "core/status_macros.h"
#include "server/rpc/convert_common.h"
#include "server/jobs/convert_job.h"
#include "server/jobs/backup_job.h"
#include "server/jobs/job_runner.h"
#include "server/rpc/page_token.h"
#include "server/rpc/request_log.h"
#include "server/rpc/stream_call.h"

namespace riskcap::server {
namespace {

constexpr absl::Duration kWatchPoll = absl::Milliseconds(250);

absl::Status RequireRunner(const RpcEnv& env) {
  if (env.jobs != nullptr) return absl::OkStatus();
  return absl::UnavailableError("this server does not run jobs");
}

// The request's reference date: today (UTC) when empty.
Date ReferenceDate(const RpcEnv& env, const std::string& text, FieldErrors& errors) {
  if (text.empty()) return env.clock.Today();
  return ParseDateField(text, "reference_date", errors);
}

// The run as this server knows it best: live when it executes here, else as stored.
absl::StatusOr<JobRun> CurrentRun(const RpcEnv& env, int64_t id) {
  if (env.jobs != nullptr) {
    if (std::optional<JobRun> live = env.jobs->Live(id)) return *live;
  }
  return env.store.GetJobRun(id);
}

// Admits a run once per request (`admit`, under the request log's key `key`), then queues it;
// a replayed request answers with the run as it is now instead.
template <typename Admit>
absl::Status AdmitOnce(const RpcEnv& env, const db::RequestKey& key, Admit admit, CallInfo& info,
                       v1::JobRun* out) {
  std::optional<JobRun> admitted;
  Change change;
  change.apply = [&]() -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(admitted, admit());
    absl::StrAppend(&info.audit_detail, " run=", admitted->id);
    return admitted->id;
  };
  ASSIGN_OR_RETURN(db::RequestOutcome done, ApplyOnce(env.store, key, change, info));
  if (done.replayed) absl::StrAppend(&info.audit_detail, " run=", done.resource_id);
  if (done.replayed) {
    ASSIGN_OR_RETURN(JobRun now, CurrentRun(env, done.resource_id));
    ToProto(now, out);
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(env.jobs->Enqueue(done.resource_id));
  ToProto(*admitted, out);
  return absl::OkStatus();
}

absl::Status RunJobBody(const RpcEnv& env, const Principal& p, const v1::RunJobRequest& r,
                        CallInfo& info, v1::JobRun* out) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kService}));
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  jobs::JobRequest request;
  request.job = JobNameOf(r.job());
  if (request.job.empty() || r.job() == v1::JOB_KIND_PIPELINE ||
      r.job() == v1::JOB_KIND_BACKFILL) {
    errors.Add("job", "is required: one of the jobs, not PIPELINE or BACKFILL (use RunPipeline)");
  }
  request.reference_date = ReferenceDate(env, r.reference_date(), errors);
  RETURN_IF_ERROR(errors.ToStatus());
  RETURN_IF_ERROR(RequireRunner(env));
  RETURN_IF_ERROR(env.jobs->CheckReferenceDate(request.reference_date, "reference_date"));
  request.params = {r.parameters().begin(), r.parameters().end()};
  if (request.job == jobs::kBackup) {  // who may choose where a backup goes
    RETURN_IF_ERROR(
        jobs::AdmitBackupRequest(env.jobs->FindJob(jobs::kBackup), p.role, &request.params));
  }
  request.triggered_by = p.Name();
  request.request_id = r.request_id();
  info.audit_detail = absl::StrCat("job=", request.job, " date=", FormatDate(request.reference_date));
  return AdmitOnce(env, RequestKeyOf("JobService/RunJob", p, r),
                   [&] { return env.jobs->AdmitJob(request); }, info, out);
}

// RunPipeline with from_date and to_date: one backfill run over the range's business days.
absl::Status RunBackfillBody(const RpcEnv& env, const Principal& p,
                             const v1::RunPipelineRequest& r, const std::string& from_job,
                             FieldErrors& errors, CallInfo& info, v1::JobRun* out) {
  if (!r.reference_date().empty()) {
    errors.Add("reference_date", "must be empty when from_date and to_date are set");
  }
  if (r.from_date().empty()) errors.Add("from_date", "is required with to_date");
  if (r.to_date().empty()) errors.Add("to_date", "is required with from_date");
  Date from, to;
  if (!r.from_date().empty()) from = ParseDateField(r.from_date(), "from_date", errors);
  if (!r.to_date().empty()) to = ParseDateField(r.to_date(), "to_date", errors);
  RETURN_IF_ERROR(errors.ToStatus());
  RETURN_IF_ERROR(RequireRunner(env));
  RETURN_IF_ERROR(env.jobs->CheckBackfillRange(from, to));
  info.audit_detail = absl::StrCat("backfill from=", FormatDate(from), " to=", FormatDate(to),
                                   " from_job=", from_job);
  return AdmitOnce(
      env, RequestKeyOf("JobService/RunPipeline", p, r),
      [&] { return env.jobs->AdmitBackfill(from, to, from_job, p.Name(), r.request_id()); },
      info, out);
}

absl::Status RunPipelineBody(const RpcEnv& env, const Principal& p,
                             const v1::RunPipelineRequest& r, CallInfo& info, v1::JobRun* out) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kService}));
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  const std::string from_job = JobNameOf(r.from_job());
  if (r.from_job() != v1::JOB_KIND_UNSPECIFIED && !PipelineJobsFrom(from_job).ok()) {
    errors.Add("from_job", "must be a pipeline job (not BACKUP, PIPELINE or BACKFILL), or unset");
  }
  const bool range = !r.from_date().empty() || !r.to_date().empty();
  if (range) {
    return RunBackfillBody(env, p, r, from_job, errors, info, out);
  }
  const Date date = ReferenceDate(env, r.reference_date(), errors);
  RETURN_IF_ERROR(errors.ToStatus());
  RETURN_IF_ERROR(RequireRunner(env));
  RETURN_IF_ERROR(env.jobs->CheckReferenceDate(date, "reference_date"));
  info.audit_detail = absl::StrCat("pipeline date=", FormatDate(date), " from=", from_job);
  return AdmitOnce(env, RequestKeyOf("JobService/RunPipeline", p, r),
                   [&] { return env.jobs->AdmitPipeline(date, from_job, p.Name(), r.request_id()); },
                   info, out);
}

absl::Status CancelBody(const RpcEnv& env, const Principal& p, const v1::CancelJobRunRequest& r,
                        CallInfo& info, v1::JobRun* out) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kService}));
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  if (r.job_run_id() <= 0) errors.Add("job_run_id", "is required (the run to cancel, > 0)");
  RETURN_IF_ERROR(errors.ToStatus());
  info.audit_detail = absl::StrCat("run=", r.job_run_id());
  Change change;
  change.apply = [&]() -> absl::StatusOr<int64_t> {
    if (env.jobs != nullptr) RETURN_IF_ERROR(env.jobs->Cancel(r.job_run_id()).status());
    else RETURN_IF_ERROR(env.store.CancelJobRun(r.job_run_id(), env.clock.Now()).status());
    return r.job_run_id();
  };
  RETURN_IF_ERROR(
      ApplyOnce(env.store, RequestKeyOf("JobService/CancelJobRun", p, r), change, info).status());
  ASSIGN_OR_RETURN(JobRun now, CurrentRun(env, r.job_run_id()));
  ToProto(now, out);
  return absl::OkStatus();
}

absl::Status ListBody(const RpcEnv& env, const Principal& p, const v1::ListJobRunsRequest& r,
                      v1::ListJobRunsResponse* out) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst, Role::kService}));
  FieldErrors errors;
  db::JobRunFilter filter;
  filter.newest_first = true;
  if (r.job() != v1::JOB_KIND_UNSPECIFIED) {
    filter.job = JobNameOf(r.job());
    if (filter.job->empty()) errors.Add("job", "is not a known job");
  }
  if (r.state() != v1::JOB_RUN_STATE_UNSPECIFIED) {
    filter.state = FromProtoEnum<JobState>(r.state(), "state", errors);
  }
  if (!r.reference_date().empty()) {
    filter.reference_date = ParseDateField(r.reference_date(), "reference_date", errors);
  }
  if (r.parent_job_run_id() < 0) errors.Add("parent_job_run_id", "must be >= 0");
  if (r.parent_job_run_id() > 0) filter.parent_run_id = r.parent_job_run_id();
  auto pager = PagerFor(env.store, "JobService/ListJobRuns", r);
  if (!pager.ok() && absl::IsInvalidArgument(pager.status())) {
    errors.AddViolationsOf(pager.status());
  }
  RETURN_IF_ERROR(errors.ToStatus());
  RETURN_IF_ERROR(pager.status());
  ASSIGN_OR_RETURN(std::vector<JobRun> runs, env.store.ListJobRuns(filter, pager->page));
  for (const JobRun& run : runs) ToProto(run, out->add_job_runs());
  if (!runs.empty()) {
    out->set_next_page_token(pager->NextToken(runs.back().id, runs.size(), pager->page.limit));
  }
  return absl::OkStatus();
}

// What a watcher has been sent of each run, to send only changes.
class WatchState {
 public:
  // Sends `run` when it differs from what was last sent for it; CANCELLED when the client left.
  absl::Status SendIfChanged(const JobRun& run, grpc::ServerWriter<v1::JobRun>& writer) {
    v1::JobRun message;
    ToProto(run, &message);
    std::string bytes = message.SerializeAsString();
    std::string& last = sent_[run.id];
    if (bytes == last) return absl::OkStatus();
    if (!writer.Write(message)) return absl::CancelledError("the watcher went away");
    last = std::move(bytes);
    return absl::OkStatus();
  }

 private:
  std::map<int64_t, std::string> sent_;
};

// Sends the run and, for a pipeline, its children; returns whether the run is final.
absl::StatusOr<bool> SendRound(const RpcEnv& env, int64_t id, WatchState& state,
                               grpc::ServerWriter<v1::JobRun>& writer) {
  ASSIGN_OR_RETURN(JobRun run, CurrentRun(env, id));
  RETURN_IF_ERROR(state.SendIfChanged(run, writer));
  if (run.job == server::jobs::kPipeline) {
    db::JobRunFilter filter;
    filter.parent_run_id = id;
    ASSIGN_OR_RETURN(std::vector<JobRun> children, env.store.ListJobRuns(filter, {0, 1000}));
    for (const JobRun& child : children) {  // as listed, unless it executes here (fresher)
      std::optional<JobRun> live = env.jobs != nullptr ? env.jobs->Live(child.id) : std::nullopt;
      RETURN_IF_ERROR(state.SendIfChanged(live.value_or(child), writer));
    }
  }
  return IsFinalJobState(run.state);
}

absl::Status WatchBody(const RpcEnv& env, const Principal& p, const grpc::ServerContext& context,
                       int64_t id, grpc::ServerWriter<v1::JobRun>& writer) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst, Role::kService}));
  if (id <= 0) return FieldError("job_run_id", "is required (the run to follow, > 0)");
  WatchState state;
  uint64_t seen = 0;
  for (;;) {
    // A revoked key's watch ends with UNAUTHENTICATED (within db::Store::kLookupTtl).
    RETURN_IF_ERROR(RecheckPrincipal(env, context, p));
    ASSIGN_OR_RETURN(bool final, SendRound(env, id, state, writer));
    if (final) return absl::OkStatus();
    if (context.IsCancelled()) return absl::CancelledError("the watcher went away");
    if (env.jobs == nullptr) {
      std::this_thread::sleep_for(absl::ToChronoNanoseconds(kWatchPoll));
      continue;
    }
    if (env.jobs->stopping()) {
      return absl::UnavailableError("the server is shutting down; watch again elsewhere");
    }
    seen = env.jobs->WaitForChange(seen, kWatchPoll);
  }
}

}  // namespace

JobServiceImpl::JobServiceImpl(RpcEnv& env) : env_(env) {}

grpc::Status JobServiceImpl::RunJob(grpc::ServerContext* context,
                                    const v1::RunJobRequest* request, v1::JobRun* response) {
  return HandleRpc(env_, *context, "JobService/RunJob", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return RunJobBody(env_, p, *request, info, response);
                   });
}

grpc::Status JobServiceImpl::RunPipeline(grpc::ServerContext* context,
                                         const v1::RunPipelineRequest* request,
                                         v1::JobRun* response) {
  return HandleRpc(env_, *context, "JobService/RunPipeline", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return RunPipelineBody(env_, p, *request, info, response);
                   });
}

grpc::Status JobServiceImpl::GetJobRun(grpc::ServerContext* context,
                                       const v1::GetJobRunRequest* request,
                                       v1::JobRun* response) {
  return HandleRpc(env_, *context, "JobService/GetJobRun", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) -> absl::Status {
                     RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst, Role::kService}));
                     if (request->job_run_id() <= 0) {
                       return FieldError("job_run_id", "is required (> 0)");
                     }
                     ASSIGN_OR_RETURN(JobRun run, CurrentRun(env_, request->job_run_id()));
                     ToProto(run, response);
                     return absl::OkStatus();
                   });
}

grpc::Status JobServiceImpl::ListJobRuns(grpc::ServerContext* context,
                                         const v1::ListJobRunsRequest* request,
                                         v1::ListJobRunsResponse* response) {
  return HandleRpc(env_, *context, "JobService/ListJobRuns", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) {
                     return ListBody(env_, p, *request, response);
                   });
}

grpc::Status JobServiceImpl::CancelJobRun(grpc::ServerContext* context,
                                          const v1::CancelJobRunRequest* request,
                                          v1::JobRun* response) {
  return HandleRpc(env_, *context, "JobService/CancelJobRun", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return CancelBody(env_, p, *request, info, response);
                   });
}

grpc::Status JobServiceImpl::WatchJobRun(grpc::ServerContext* context,
                                         const v1::WatchJobRunRequest* request,
                                         grpc::ServerWriter<v1::JobRun>* writer) {
  constexpr char kMethod[] = "JobService/WatchJobRun";
  // Authenticated and admitted under the stream caps before the store is read.
  auto stream = OpenStreamCall(env_, *context, kMethod, {Role::kAnalyst, Role::kService});
  if (!stream.ok()) return RefuseStream(env_, *context, kMethod, CallKind::kRead, stream.status());
  return HandleRpc(env_, *context, kMethod, "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) {
                     return WatchBody(env_, p, *context, request->job_run_id(), *writer);
                   });
}

}  // namespace riskcap::server
