// riskcap job / riskcap backup: start, follow, list and cancel job runs (JobService).
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/command.h"
#include "client/job_format.h"
#include "client/proto_format.h"
#include "client/request_id.h"
#include "core/status_macros.h"
#include "riskcap/v1/job.grpc.pb.h"

namespace riskcap::client {
namespace {

using Stub = v1::JobService::Stub;

struct JobFlags {
  std::string job, date, from, state, request_id, target, page_token, from_date, to_date;
  std::vector<std::string> params;
  int64_t id = 0, parent = 0;
  int page_size = 0;
  bool watch = false, all = false;
};

// Follows run `id` to its final state: a progress bar on a terminal's stderr, else one line per
// update on stdout (a JSON object per line with --output json). The final run prints as a record
// on a terminal. A run that ends FAILED or CANCELLED is an error (exit 1).
absl::Status Watch(const CommandContext& context, int64_t id) {
  ASSIGN_OR_RETURN(auto jobs, context.Open<v1::JobService>());
  grpc::ClientContext call;
  jobs.connection.PrepareStream(call);
  v1::WatchJobRunRequest request;
  request.set_job_run_id(id);
  auto reader = jobs.stub->WatchJobRun(&call, request);
  bool terminal = isatty(STDERR_FILENO) == 1;
  v1::JobRun run, last;
  while (reader->Read(&run)) {
    if (run.job_run_id() == id) last = run;
    if (terminal) {
      std::cerr << "\r" << JobProgressBar(run) << "\x1b[K" << std::flush;
    } else if (context.output_format() == OutputFormat::kJson) {
      std::cout << JobRunObject(run).dump() << std::endl;
    } else {
      std::cout << JobWatchLine(run) << std::endl;
    }
  }
  if (terminal) std::cerr << "\n";
  RETURN_IF_ERROR(jobs.connection.Check(reader->Finish()));
  if (terminal) {
    Table table = JobRunTable(Table::Layout::kRecord);
    AddJobRun(last, table);
    context.Print(table);
  }
  if (last.state() == v1::JOB_RUN_STATE_FAILED || last.state() == v1::JOB_RUN_STATE_CANCELLED) {
    return absl::UnknownError(absl::StrCat("job run ", id, " ", EnumText(last.state()),
                                           last.error_message().empty() ? "" : ": ",
                                           last.error_message()));
  }
  return absl::OkStatus();
}

absl::Status PrintRun(const CommandContext& context, const v1::JobRun& run, bool watch) {
  if (watch) return Watch(context, run.job_run_id());
  Table table = JobRunTable(Table::Layout::kRecord);
  AddJobRun(run, table);
  context.Print(table);
  return absl::OkStatus();
}

absl::Status Run(const CommandContext& context, const JobFlags& f, v1::JobKind kind,
                 std::map<std::string, std::string> params) {
  v1::RunJobRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  request.set_job(kind);
  request.set_reference_date(f.date);
  request.mutable_parameters()->insert(params.begin(), params.end());
  ASSIGN_OR_RETURN(auto jobs, context.Open<v1::JobService>());
  v1::JobRun run;
  RETURN_IF_ERROR(jobs.Call(&Stub::RunJob, request, &run));
  return PrintRun(context, run, f.watch);
}

absl::Status RunNamed(const CommandContext& context, const JobFlags& f) {
  ASSIGN_OR_RETURN(auto params, ParseParams(f.params));
  // The argument's check admits only known names.
  return Run(context, f, ParseJobName(f.job).value(), std::move(params));
}

absl::Status Pipeline(const CommandContext& context, const JobFlags& f) {
  v1::RunPipelineRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  request.set_reference_date(f.date);
  request.set_from_date(f.from_date);
  request.set_to_date(f.to_date);
  if (!f.from.empty()) request.set_from_job(ParseJobName(f.from).value());
  ASSIGN_OR_RETURN(auto jobs, context.Open<v1::JobService>());
  v1::JobRun run;
  RETURN_IF_ERROR(jobs.Call(&Stub::RunPipeline, request, &run));
  return PrintRun(context, run, f.watch);
}

absl::Status Get(const CommandContext& context, int64_t id) {
  v1::GetJobRunRequest request;
  request.set_job_run_id(id);
  ASSIGN_OR_RETURN(auto jobs, context.Open<v1::JobService>());
  v1::JobRun run;
  RETURN_IF_ERROR(jobs.Call(&Stub::GetJobRun, request, &run));
  return PrintRun(context, run, false);
}

absl::Status Cancel(const CommandContext& context, const JobFlags& f) {
  v1::CancelJobRunRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  request.set_job_run_id(f.id);
  ASSIGN_OR_RETURN(auto jobs, context.Open<v1::JobService>());
  v1::JobRun run;
  RETURN_IF_ERROR(jobs.Call(&Stub::CancelJobRun, request, &run));
  return PrintRun(context, run, false);
}

absl::Status List(const CommandContext& context, const JobFlags& f) {
  v1::ListJobRunsRequest request;
  if (!f.job.empty()) request.set_job(ParseJobName(f.job).value());
  request.set_state(
      ParseEnumText<v1::JobRunState>(f.state).value_or(v1::JOB_RUN_STATE_UNSPECIFIED));
  request.set_reference_date(f.date);
  request.set_parent_job_run_id(f.parent);
  request.set_page_size(f.page_size);
  request.set_page_token(f.page_token);
  ASSIGN_OR_RETURN(auto jobs, context.Open<v1::JobService>());
  Table table = JobRunTable(Table::Layout::kRows);
  while (true) {
    v1::ListJobRunsResponse page;
    RETURN_IF_ERROR(jobs.Call(&Stub::ListJobRuns, request, &page));
    for (const v1::JobRun& run : page.job_runs()) AddJobRun(run, table);
    if (page.next_page_token().empty()) break;
    if (!f.all) {
      std::cerr << "riskcap: more runs follow: add --all, or --page-token "
                << page.next_page_token() << "\n";
      break;
    }
    request.set_page_token(page.next_page_token());
  }
  context.Print(table);
  return absl::OkStatus();
}

bool StartedByRunPipeline(v1::JobKind kind) {
  return kind == v1::JOB_KIND_PIPELINE || kind == v1::JOB_KIND_BACKFILL;
}

// The jobs RunJob starts: every job but the pipeline and the backfill (RunPipeline's).
std::string RunnableJobs() {
  std::vector<std::string> names = JobNames();
  std::erase_if(names, [](const std::string& n) { return StartedByRunPipeline(*ParseJobName(n)); });
  return absl::StrJoin(names, " ");
}

// Admits job names; `runnable` leaves out "pipeline" and "backfill".
CLI::Validator JobNameCheck(bool runnable) {
  return CLI::Validator(
      [runnable](std::string& name) -> std::string {
        auto kind = ParseJobName(name);
        if (kind && !(runnable && StartedByRunPipeline(*kind))) return "";
        return absl::StrCat("unknown job \"", name, "\"; jobs: ",
                            runnable ? RunnableJobs() : absl::StrJoin(JobNames(), " "));
      },
      "JOB");
}

void AddRequestId(CLI::App* cmd, JobFlags& f) {
  cmd->add_option("--request-id", f.request_id, "idempotency key (default: a random UUID)");
}

void AddStart(CLI::App& group, CommandContext& context) {
  auto f = std::make_shared<JobFlags>();
  CLI::App* run = AddCommand(
      group, "run", absl::StrCat("Queue one job run (SERVICE, ADMIN); jobs: ", RunnableJobs()),
      "riskcap job run positions --date 2026-11-20 --watch");
  run->add_option("job", f->job, "the job, e.g. nav_snapshot")
      ->required()
      ->check(JobNameCheck(true));
  run->add_option("--date", f->date, "reference date, YYYY-MM-DD (default: today UTC)");
  run->add_option("--param", f->params, "a job parameter key=value (repeat the flag for more)")
      ->allow_extra_args(false);
  run->add_flag("--watch", f->watch, "follow the run until it ends");
  AddRequestId(run, *f);
  context.SetAction(run, [&context, f] { return RunNamed(context, *f); });

  auto p = std::make_shared<JobFlags>();
  CLI::App* pipeline =
      AddCommand(group, "pipeline",
                 "Queue the whole pipeline for a date, or re-run it from a job; with --from-date\n"
                 "and --to-date, for every business day (Mon-Fri) of the range, oldest first, as\n"
                 "one backfill run (re-running a failed backfill skips the dates it completed)",
                 "riskcap job pipeline --date 2026-11-20 --from exposure_snapshot --watch\n"
                 "  riskcap job pipeline --from-date 2025-01-01 --to-date 2025-12-31 "
                 "--from margin_status");
  CLI::Option* date =
      pipeline->add_option("--date", p->date, "reference date, YYYY-MM-DD (default: today UTC)");
  CLI::Option* from_date = pipeline->add_option(
      "--from-date", p->from_date, "backfill: first day of the range, YYYY-MM-DD");
  CLI::Option* to_date = pipeline->add_option("--to-date", p->to_date,
                                              "backfill: last day of the range, YYYY-MM-DD");
  from_date->needs(to_date)->excludes(date);
  to_date->needs(from_date)->excludes(date);
  pipeline->add_option("--from", p->from, "start from this job (default: the first)")
      ->check(JobNameCheck(true));
  pipeline->add_flag("--watch", p->watch, "follow the pipeline until it ends");
  AddRequestId(pipeline, *p);
  context.SetAction(pipeline, [&context, p] { return Pipeline(context, *p); });
}

void AddFollow(CLI::App& group, CommandContext& context) {
  auto id = std::make_shared<int64_t>(0);
  CLI::App* watch = AddCommand(
      group, "watch",
      "Follow a run (a pipeline with its children) until it ends: a progress bar on a terminal,\n"
      "else one line per update; exits 1 when it ends FAILED or CANCELLED",
      "riskcap job watch 42");
  watch->add_option("id", *id, "job run id")->required()->check(CLI::PositiveNumber);
  context.SetAction(watch, [&context, id] { return Watch(context, *id); });

  auto g = std::make_shared<int64_t>(0);
  CLI::App* get = AddCommand(group, "get", "Show one job run", "riskcap job get 42 -o json");
  get->add_option("id", *g, "job run id")->required()->check(CLI::PositiveNumber);
  context.SetAction(get, [&context, g] { return Get(context, *g); });

  auto c = std::make_shared<JobFlags>();
  CLI::App* cancel =
      AddCommand(group, "cancel", "Cancel a queued or running job run", "riskcap job cancel 42");
  cancel->add_option("id", c->id, "job run id")->required()->check(CLI::PositiveNumber);
  AddRequestId(cancel, *c);
  context.SetAction(cancel, [&context, c] { return Cancel(context, *c); });
}

void AddList(CLI::App& group, CommandContext& context) {
  auto f = std::make_shared<JobFlags>();
  CLI::App* list = AddCommand(group, "list", "List job runs, newest first",
                              "riskcap job list --job positions --state FAILED --all -o csv");
  list->add_option("--job", f->job, "only this job")->check(JobNameCheck(false));
  list->add_option("--state", f->state, "only this state")
      ->check(CLI::IsMember(EnumTexts<v1::JobRunState>(), CLI::ignore_case));
  list->add_option("--date", f->date, "only this reference date, YYYY-MM-DD");
  list->add_option("--parent", f->parent, "only the children of this pipeline run")
      ->check(CLI::PositiveNumber);
  list->add_flag("--all", f->all, "fetch every page");
  list->add_option("--page-size", f->page_size, "results per page (server default 100)")
      ->check(CLI::PositiveNumber);
  list->add_option("--page-token", f->page_token, "continue a previous listing");
  context.SetAction(list, [&context, f] { return List(context, *f); });
}

void AddBackup(CLI::App& app, CommandContext& context) {
  auto f = std::make_shared<JobFlags>();
  CLI::App* backup = app.add_subcommand(
      "backup", "Copy every table of the primary store into a verified replica (a backup job run)");
  backup->footer(
      "Examples:\n  riskcap backup --watch                          # to the server's "
      "RISKCAP_BACKUP_URL\n  riskcap backup --to riskcap-2026-11-24.db --watch  # a file in "
      "RISKCAP_BACKUP_DIR (ADMIN)\n\n"
      "Connection and output flags (--server, --token, --output, ...) and exit codes: "
      "riskcap --help");
  backup->add_option("--to", f->target,
                     "a file name inside the server's RISKCAP_BACKUP_DIR (ADMIN only); "
                     "default: the server's RISKCAP_BACKUP_URL");
  backup->add_flag("--watch", f->watch, "follow the backup until it ends");
  AddRequestId(backup, *f);
  context.SetAction(backup, [&context, f] {
    std::map<std::string, std::string> params;
    if (!f->target.empty()) params["target"] = f->target;
    return Run(context, *f, v1::JOB_KIND_BACKUP, params);
  });
}

}  // namespace

void RegisterJobCommands(CLI::App& app, CommandContext& context) {
  CLI::App* group = AddGroup(app, "job", "Job runs and pipelines: start, follow, list, cancel",
                             "riskcap job pipeline --date 2026-11-20 --watch");
  AddStart(*group, context);
  AddFollow(*group, context);
  AddList(*group, context);
  AddBackup(app, context);
}

}  // namespace riskcap::client
