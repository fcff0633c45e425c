// The `pipeline` scenario: loads generated funds, NAV snapshot, NAV history and positions, then
// times one JobService.RunPipeline for the reference date until the run is final.
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "bench/call_errors.h"
#include "bench/registry_setup.h"
#include "bench/row_generator.h"
#include "bench/scenario.h"
#include "bench/upload_stream.h"
#include "core/status_macros.h"
#include "riskcap/v1/job.grpc.pb.h"

namespace riskcap::bench {
namespace {

namespace v1 = ::riskcap::v1;

struct PipelineOptions {
  LoadOptions load;
  int funds = 10'000;
  int64_t positions = 1'000'000;
  int history_days = 5;
  std::string date;  // empty: yesterday (UTC)
  int poll_ms = 200;
};

std::string YesterdayUtc() {
  absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  return absl::FormatCivilTime(today - 1);
}

bool IsFinal(v1::JobRunState state) {
  return state == v1::JOB_RUN_STATE_SUCCEEDED || state == v1::JOB_RUN_STATE_FAILED ||
         state == v1::JOB_RUN_STATE_CANCELLED;
}

// Loads everything the pipeline reads for plan.date: NAV snapshot, NAV history, positions.
absl::Status LoadData(const PipelineOptions& o, const std::shared_ptr<grpc::Channel>& channel,
                      const RunId& run, const RowPlan& plan) {
  v1::IngestService::Stub stub(channel);
  const int64_t funds = static_cast<int64_t>(plan.fund_ids.size());
  UploadSpec navs{RequestId(run, "navs", 0), plan.date, "riskcap_bench", funds, 5'000};
  RETURN_IF_ERROR(StreamUpload<v1::UploadNavSnapshotsRequest>(
                      o.load, navs,
                      [&stub](grpc::ClientContext* c, v1::UploadResponse* r) {
                        return stub.UploadNavSnapshots(c, r);
                      },
                      [&plan](int64_t i, v1::NavSnapshot* row) { GenerateNavSnapshot(plan, i, row); })
                      .status());
  UploadSpec history{RequestId(run, "history", 0), plan.date, "riskcap_bench",
                     funds * o.history_days, 5'000};
  RETURN_IF_ERROR(StreamUpload<v1::UploadNavHistoryRequest>(
                      o.load, history,
                      [&stub](grpc::ClientContext* c, v1::UploadResponse* r) {
                        return stub.UploadNavHistory(c, r);
                      },
                      [&plan](int64_t i, v1::NavHistoryEntry* row) {
                        GenerateNavHistory(plan, i, row);
                      })
                      .status());
  UploadSpec positions{RequestId(run, "positions", 0), plan.date, "riskcap_bench", o.positions,
                       5'000};
  return StreamUpload<v1::UploadPositionsRequest>(
             o.load, positions,
             [&stub](grpc::ClientContext* c, v1::UploadResponse* r) {
               return stub.UploadPositions(c, r);
             },
             [&plan](int64_t i, v1::Position* row) { GeneratePosition(plan, i, row); })
      .status();
}

absl::StatusOr<v1::JobRun> StartPipeline(v1::JobService::Stub& stub, const LoadOptions& load,
                                         const RunId& run, const std::string& date) {
  grpc::ClientContext context;
  PrepareContext(load, context);
  v1::RunPipelineRequest request;
  request.set_request_id(RequestId(run, "pipeline", 0));
  request.set_reference_date(date);
  v1::JobRun started;
  grpc::Status status = stub.RunPipeline(&context, request, &started);
  if (!status.ok()) return ToAbslStatus(status, "RunPipeline");
  return started;
}

// Follows the run with WatchJobRun until its final state; nullopt when the stream ended early
// (the caller then polls).
absl::StatusOr<std::optional<v1::JobRun>> Watch(v1::JobService::Stub& stub,
                                                const LoadOptions& load, int64_t id) {
  grpc::ClientContext context;
  PrepareContext(load, context);
  v1::WatchJobRunRequest request;
  request.set_job_run_id(id);
  std::unique_ptr<grpc::ClientReader<v1::JobRun>> reader = stub.WatchJobRun(&context, request);
  v1::JobRun update;
  std::optional<v1::JobRun> final_state;
  while (reader->Read(&update)) {
    if (update.job_run_id() != id) {  // a child's progress
      std::cerr << absl::StrFormat("pipeline:   %s %s\n", v1::JobKind_Name(update.job()),
                                   update.progress_message());
      continue;
    }
    if (IsFinal(update.state())) final_state = update;
  }
  grpc::Status status = reader->Finish();
  if (final_state) return final_state;
  if (!status.ok() && status.error_code() != grpc::StatusCode::UNIMPLEMENTED) {
    return ToAbslStatus(status, "WatchJobRun");
  }
  return std::nullopt;
}

absl::StatusOr<v1::JobRun> Poll(v1::JobService::Stub& stub, const PipelineOptions& o,
                                int64_t id) {
  for (;;) {
    grpc::ClientContext context;
    PrepareContext(o.load, context);
    v1::GetJobRunRequest request;
    request.set_job_run_id(id);
    v1::JobRun got;
    grpc::Status status = stub.GetJobRun(&context, request, &got);
    if (!status.ok()) return ToAbslStatus(status, "GetJobRun");
    if (IsFinal(got.state())) return got;
    std::this_thread::sleep_for(std::chrono::milliseconds(o.poll_ms));
  }
}

// Runs the pipeline and waits for its final state.
absl::StatusOr<v1::JobRun> RunPipelineToEnd(const PipelineOptions& o,
                                            const std::shared_ptr<grpc::Channel>& channel,
                                            const RunId& run, const std::string& date) {
  v1::JobService::Stub stub(channel);
  ASSIGN_OR_RETURN(v1::JobRun started, StartPipeline(stub, o.load, run, date));
  std::cerr << "pipeline: run " << started.job_run_id() << " started\n";
  ASSIGN_OR_RETURN(std::optional<v1::JobRun> watched, Watch(stub, o.load, started.job_run_id()));
  if (watched) return *watched;
  return Poll(stub, o, started.job_run_id());
}

int RunPipelineScenario(const PipelineOptions& o) {
  std::shared_ptr<grpc::Channel> channel = OpenChannel(o.load);
  const RunId run = NewRunId();
  RowPlan plan;
  plan.seed = static_cast<uint64_t>(run.number);
  plan.date = o.date.empty() ? YesterdayUtc() : o.date;
  absl::StatusOr<std::string> backend = StoreBackendName(channel, o.load);
  if (!backend.ok()) {
    std::cerr << "pipeline: setup failed: " << backend.status() << "\n";
    return kExitSetupFailed;
  }
  std::cerr << "pipeline: run " << run.number << ": creating " << o.funds << " funds\n";
  absl::StatusOr<std::vector<int64_t>> funds = CreateManyRunFunds(channel, o.load, run, o.funds);
  if (!funds.ok()) {
    std::cerr << "pipeline: setup failed: " << funds.status() << "\n";
    return kExitSetupFailed;
  }
  plan.fund_ids = *funds;
  std::cerr << "pipeline: loading NAV snapshot, " << o.history_days << " days of NAV history and "
            << o.positions << " positions for " << plan.date << "\n";
  if (absl::Status loaded = LoadData(o, channel, run, plan); !loaded.ok()) {
    std::cerr << "pipeline: loading data failed: " << loaded << "\n";
    return kExitSetupFailed;
  }
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<v1::JobRun> done = RunPipelineToEnd(o, channel, run, plan.date);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!done.ok()) {
    std::cerr << "pipeline: failed after " << seconds << " s: " << done.status() << "\n";
    return kExitRunFailed;
  }
  if (done->state() != v1::JOB_RUN_STATE_SUCCEEDED) {
    std::cerr << absl::StrFormat("pipeline: run %d ended %s after %.2f s: %s\n",
                                 done->job_run_id(), v1::JobRunState_Name(done->state()), seconds,
                                 done->error_message());
    return kExitRunFailed;
  }
  std::cout << absl::StrFormat("pipeline backend=%s funds=%d positions=%d seconds=%.2f\n",
                               *backend, o.funds, o.positions, seconds);
  return kExitOk;
}

}  // namespace

Scenario AddPipelineScenario(CLI::App& app) {
  auto options = std::make_shared<PipelineOptions>();
  options->load.deadline_ms = 3'600'000;  // uploads and the watch stream are long calls
  CLI::App* cmd = app.add_subcommand(
      "pipeline", "loads generated data, then times one RunPipeline for the reference date");
  AddConnectionOptions(*cmd, &options->load);
  cmd->add_option("--funds", options->funds, "funds to create (NAV snapshot: one row each)")
      ->check(CLI::Range(1, 100 * kMaxRunFunds))
      ->capture_default_str();
  cmd->add_option("--positions", options->positions, "position rows to load")
      ->check(CLI::Range(int64_t{1}, int64_t{5'000'000}))
      ->capture_default_str();
  cmd->add_option("--history-days", options->history_days,
                  "days of NAV history per fund, ending on the date")
      ->check(CLI::Range(1, 3'650))
      ->capture_default_str();
  cmd->add_option("--date", options->date, "reference date (default: yesterday)");
  cmd->add_option("--poll-ms", options->poll_ms, "GetJobRun interval when WatchJobRun is absent")
      ->check(CLI::Range(10, 60'000))
      ->capture_default_str();
  return Scenario{cmd, [options] { return RunPipelineScenario(*options); }};
}

}  // namespace riskcap::bench
