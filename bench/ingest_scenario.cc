// The `ingest` scenario: IngestService.UploadPositions throughput for one large generated
// positions batch, and the server's peak resident memory when it runs on this machine. The
// batch is generated and serialized before the clock starts, so the figure is the server's.
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "bench/prebuilt_upload.h"
#include "bench/registry_setup.h"
#include "bench/row_generator.h"
#include "bench/scenario.h"
#include "bench/server_memory.h"
#include "core/status_macros.h"
#include "db/insert_floor.h"

namespace riskcap::bench {
namespace {

namespace v1 = ::riskcap::v1;

struct IngestOptions {
  LoadOptions load;
  int64_t rows = 1'000'000;
  int64_t rows_per_message = 5'000;
  int funds = 1'000;
  bool skip_setup = false;
  std::vector<int64_t> fund_ids;
  int64_t server_pid = 0;  // 0: do not report the server's memory
  std::string date;        // empty: yesterday (UTC)
  std::string floor_store;  // the server's store URL: also time the raw floor of the rows
};

std::string YesterdayUtc() {
  absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  return absl::FormatCivilTime(today - 1);
}

// The backend's name and the funds the rows name.
absl::StatusOr<std::string> Setup(const IngestOptions& o,
                                  const std::shared_ptr<grpc::Channel>& channel,
                                  const RunId& run, RowPlan& plan) {
  ASSIGN_OR_RETURN(std::string backend, StoreBackendName(channel, o.load));
  if (o.skip_setup) {
    plan.fund_ids = o.fund_ids;
  } else {
    std::cerr << "ingest: creating " << o.funds << " funds for run " << run.number << "\n";
    ASSIGN_OR_RETURN(plan.fund_ids, CreateManyRunFunds(channel, o.load, run, o.funds));
  }
  return backend;
}

// Generates and serializes the whole upload, before the clock starts, and says what it cost.
PrebuiltUpload Prepare(const IngestOptions& o, const RunId& run, const RowPlan& plan) {
  UploadSpec spec{RequestId(run, "positions", 0), plan.date, "riskcap_bench", o.rows,
                  o.rows_per_message};
  std::cerr << absl::StrFormat("ingest: run %d, %d rows over %d funds for %s, %d rows/message\n",
                               run.number, o.rows, plan.fund_ids.size(), plan.date,
                               o.rows_per_message);
  const auto start = std::chrono::steady_clock::now();
  PrebuiltUpload upload = PrebuildPositionsUpload(spec, plan);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << absl::StrFormat("ingest: prepared %d messages, %.1f MB serialized, in %.2f s\n",
                               upload.messages.size(),
                               static_cast<double>(upload.bytes) / (1 << 20), seconds);
  return upload;
}

// The client's own peak RSS: the pre-built upload plus gRPC's buffers.
void ReportClientMemory() {
  absl::StatusOr<int64_t> peak = PeakRssBytes(getpid());
  if (peak.ok()) {
    std::cerr << absl::StrFormat("ingest: client peak RSS %.1f MB\n",
                                 static_cast<double>(*peak) / (1 << 20));
  } else {
    std::cerr << "ingest: client peak RSS: " << peak.status() << "\n";
  }
}

// The server's CPU time for the upload on stderr; its peak RSS as the summary's suffix.
std::string ReportServer(const IngestOptions& o, std::optional<double> cpu_before) {
  if (cpu_before) {
    if (absl::StatusOr<double> cpu = CpuSeconds(o.server_pid); cpu.ok()) {
      std::cerr << absl::StrFormat(
          "ingest: server CPU %.2f s for the upload (%.0f rows per server CPU second)\n",
          *cpu - *cpu_before, static_cast<double>(o.rows) / (*cpu - *cpu_before));
    }
  }
  if (o.server_pid <= 0) return "";
  absl::StatusOr<int64_t> peak = PeakRssBytes(o.server_pid);
  if (!peak.ok()) {
    std::cerr << "ingest: --server-pid: " << peak.status() << "\n";
    return "";
  }
  return absl::StrFormat(" peak_rss_mb=%.1f", static_cast<double>(*peak) / (1 << 20));
}

int RunIngest(const IngestOptions& o) {
  std::shared_ptr<grpc::Channel> channel = OpenChannel(o.load);
  const RunId run = NewRunId();
  RowPlan plan;
  plan.seed = static_cast<uint64_t>(run.number);
  plan.date = o.date.empty() ? YesterdayUtc() : o.date;
  absl::StatusOr<std::string> backend = Setup(o, channel, run, plan);
  if (!backend.ok()) {
    std::cerr << "ingest: setup failed: " << backend.status() << "\n";
    return kExitSetupFailed;
  }
  const PrebuiltUpload upload = Prepare(o, run, plan);
  std::optional<double> cpu_before;
  if (o.server_pid > 0) {
    if (absl::StatusOr<double> cpu = CpuSeconds(o.server_pid); cpu.ok()) cpu_before = *cpu;
  }
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<v1::UploadResponse> answer = SendPrebuiltUpload(channel, o.load, upload);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ReportClientMemory();
  if (!answer.ok()) {
    std::cerr << "ingest: upload failed after " << seconds << " s: " << answer.status() << "\n";
    return kExitRunFailed;
  }
  std::cerr << absl::StrFormat("ingest: load %d version %d, %d rows in %.2f s, hash %s\n",
                               answer->load_id(), answer->version(), answer->row_count(), seconds,
                               answer->content_hash());
  const std::string memory = ReportServer(o, cpu_before);
  std::string floor;
  if (!o.floor_store.empty()) {
    absl::StatusOr<double> floor_seconds =
        db::TimePositionsFloor(o.floor_store, answer->load_id());
    if (!floor_seconds.ok()) {
      std::cerr << "ingest: floor failed: " << floor_seconds.status() << "\n";
      return kExitRunFailed;
    }
    std::cerr << absl::StrFormat("ingest: floor: the same rows written plainly in %.2f s\n",
                                 *floor_seconds);
    floor = absl::StrFormat(" floor_rows_per_s=%.0f share_of_floor=%.3f",
                            static_cast<double>(o.rows) / *floor_seconds, *floor_seconds / seconds);
  }
  std::cout << absl::StrFormat("ingest backend=%s rows=%d rows_per_s=%.0f%s%s\n", *backend,
                               o.rows, static_cast<double>(o.rows) / seconds, memory, floor);
  return kExitOk;
}

}  // namespace

Scenario AddIngestScenario(CLI::App& app) {
  auto options = std::make_shared<IngestOptions>();
  options->load.deadline_ms = 3'600'000;  // one call carries the whole upload
  CLI::App* cmd = app.add_subcommand(
      "ingest", "UploadPositions throughput: streams one generated positions batch, serialized "
                "before the clock starts");
  AddConnectionOptions(*cmd, &options->load);
  cmd->add_option("--rows", options->rows, "position rows to upload")
      ->check(CLI::Range(int64_t{1}, int64_t{5'000'000}))
      ->capture_default_str();
  cmd->add_option("--rows-per-message", options->rows_per_message, "rows in each stream message")
      ->check(CLI::Range(int64_t{1}, int64_t{20'000}))
      ->capture_default_str();
  cmd->add_option("--funds", options->funds, "funds to create and spread the rows over")
      ->check(CLI::Range(1, 100 * kMaxRunFunds))
      ->capture_default_str();
  cmd->add_option("--date", options->date, "position and reference date (default: yesterday)");
  cmd->add_option("--server-pid", options->server_pid,
                  "riskcapd's pid on this machine: report its peak RSS (VmHWM) as peak_rss_mb and its CPU time")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--floor-store", options->floor_store,
                  "the server's store URL (its database, reachable from here): then copy the "
                  "uploaded rows into a scratch table the plainest way (SQLite: prepared INSERT "
                  "per row in one transaction; PostgreSQL: one COPY) and print share_of_floor");
  CLI::Option* skip = cmd->add_flag("--skip-setup", options->skip_setup,
                                    "create nothing; spread rows over the funds of --fund-ids");
  CLI::Option* ids = cmd->add_option("--fund-ids", options->fund_ids,
                                     "existing funds, comma-separated (with --skip-setup)")
                         ->delimiter(',')
                         ->check(CLI::PositiveNumber);
  skip->needs(ids);
  ids->needs(skip);
  return Scenario{cmd, [options] { return RunIngest(*options); }};
}

}  // namespace riskcap::bench
