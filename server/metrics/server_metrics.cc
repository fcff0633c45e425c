// riskcapd's metric families.
#include "server/metrics/server_metrics.h"

#include <array>
#include <string>

#include "core/enums.h"
#include "server/admin/audit_sealer.h"
#include "server/rpc/write_batcher.h"

namespace riskcap::server::metrics {
namespace {

// Unary calls take milliseconds; streams and uploads up to minutes.
const std::vector<double> kRpcSeconds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                         0.25,   0.5,   1,      2.5,   5,    10,    30,    60,
                                         300};
// Writes per group commit; the batcher commits at most 512 at once.
const std::vector<double> kBatchSizes = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
const std::vector<double> kJobSeconds = {0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600};

constexpr std::array<std::string_view, 17> kCodeNames = {
    "OK",        "CANCELLED",          "UNKNOWN",        "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED", "NOT_FOUND",  "ALREADY_EXISTS", "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL",       "UNAVAILABLE",    "DATA_LOSS",
    "UNAUTHENTICATED"};

Histogram& Unlabelled(HistogramFamily& family) { return family.With({}); }

// One unlabelled sample of `value`, or none while it is unknown.
std::vector<Sample> SampleIfKnown(std::optional<int64_t> value) {
  if (!value) return {};
  return {{{}, static_cast<double>(*value)}};
}
Gauge& Unlabelled(GaugeFamily& family) { return family.With({}); }

}  // namespace

std::string_view GrpcCodeName(grpc::StatusCode code) {
  const auto i = static_cast<size_t>(code);
  return i < kCodeNames.size() ? kCodeNames[i] : "UNKNOWN";
}

ServerMetrics::ServerMetrics(std::string_view version)
    : rpc_requests_(registry_.AddCounter(
          "riskcap_rpc_requests_total",
          "RPCs answered, by method and gRPC status code (streams count once, when they end).",
          {"method", "code"})),
      rpc_duration_(registry_.AddHistogram(
          "riskcap_rpc_duration_seconds",
          "Time from a call's arrival to its answer, by method (a stream: its whole life).",
          {"method"}, kRpcSeconds)),
      auth_failures_(registry_.AddCounter(
          "riskcap_auth_failures_total",
          "Calls refused UNAUTHENTICATED (missing, unknown, revoked or expired API key).",
          {"method"})),
      active_streams_(registry_.AddGauge("riskcap_active_streams",
                                         "Streaming calls open now, by kind.", {"kind"})),
      write_batch_size_(Unlabelled(registry_.AddHistogram(
          "riskcap_write_batch_size",
          "Writes (submissions and audit records) committed per group-commit transaction.", {},
          kBatchSizes))),
      job_runs_(registry_.AddCounter("riskcap_job_runs_total",
                                     "Job runs this server finished, by job and final state.",
                                     {"job", "state"})),
      job_duration_(registry_.AddHistogram(
          "riskcap_job_duration_seconds",
          "Wall time of finished job runs from start to final state, by job.", {"job"},
          kJobSeconds)),
      job_rows_read_(registry_.AddCounter("riskcap_job_rows_read_total",
                                          "Rows finished job runs read, by job.", {"job"})),
      job_rows_written_(registry_.AddCounter(
          "riskcap_job_rows_written_total", "Rows finished job runs wrote, by job.", {"job"})),
      feed_quarantines_(registry_.AddCounter(
          "riskcap_feed_quarantines_total",
          "Feeds quarantined (empty, shrunk or over a limit; current data kept), by origin.",
          {"origin"})),
      deliveries_(registry_.AddCounter(
          "riskcap_deliveries_total",
          "Delivery attempts of reminders and findings, by channel and resulting state.",
          {"channel", "state"})),
      store_up_(Unlabelled(registry_.AddGauge(
          "riskcap_store_up",
          "1 while the store answers the health probe, 0 while it does not."))) {
  store_up_.Set(1);  // riskcapd has just opened it
  registry_.AddGauge("riskcap_build_info", "riskcapd's version; always 1.",
                     {"version", "grpc_version"})
      .With({version, grpc::Version()})
      .Set(1);
}

void ServerMetrics::RecordRpc(std::string_view method, grpc::StatusCode code, double seconds) {
  rpc_requests_.With({method, GrpcCodeName(code)}).Increment();
  rpc_duration_.With({method}).Observe(seconds);
}

void ServerMetrics::RecordAuthFailure(std::string_view method) {
  auth_failures_.With({method}).Increment();
}

void ServerMetrics::RecordJobRun(const JobRun& run) {
  job_runs_.With({run.job, EnumName(run.state)}).Increment();
  if (run.started_at && run.finished_at) {
    job_duration_.With({run.job})
        .Observe(absl::ToDoubleSeconds(*run.finished_at - *run.started_at));
  }
  job_rows_read_.With({run.job}).Increment(static_cast<double>(run.rows_read));
  job_rows_written_.With({run.job}).Increment(static_cast<double>(run.rows_written));
}

void ServerMetrics::RecordQuarantine(std::string_view origin) {
  feed_quarantines_.With({origin}).Increment();
}

void ServerMetrics::WatchStore(const db::Store& store) {
  // One reader per family; each takes a fresh StoreStats (a lock and a few atomic loads).
  auto one = [&store](auto field) {
    return [&store, field] {
      return std::vector<Sample>{{{}, static_cast<double>(store.Stats().*field)}};
    };
  };
  registry_.AddCallback("riskcap_store_pool_sessions", "Database sessions in the pool.",
                        MetricType::kGauge, {}, one(&db::StoreStats::pool_size));
  registry_.AddCallback("riskcap_store_pool_sessions_in_use",
                        "Pooled database sessions leased right now.", MetricType::kGauge, {},
                        one(&db::StoreStats::sessions_in_use));
  registry_.AddCallback("riskcap_store_pool_waits_total",
                        "Session leases that found the pool empty and had to wait.",
                        MetricType::kCounter, {}, one(&db::StoreStats::lease_waits));
  registry_.AddCallback("riskcap_store_pool_wait_timeouts_total",
                        "Session leases that gave up: no session freed in time (UNAVAILABLE).",
                        MetricType::kCounter, {}, one(&db::StoreStats::lease_timeouts));
  registry_.AddCallback("riskcap_store_reconnects_total",
                        "Broken database connections replaced by new ones.",
                        MetricType::kCounter, {}, one(&db::StoreStats::reconnects));
  registry_.AddCallback("riskcap_store_reconnect_failures_total",
                        "Attempts to replace a broken database connection that failed.",
                        MetricType::kCounter, {}, one(&db::StoreStats::reconnect_failures));
  registry_.AddCallback(
      "riskcap_store_errors_total",
      "Store transactions the database failed, by status code (UNAVAILABLE: connection lost "
      "or timed out; ALREADY_EXISTS: a duplicate; INTERNAL: anything unexpected).",
      MetricType::kCounter, {"code"}, [&store] {
        db::StoreStats stats = store.Stats();
        std::vector<Sample> samples;
        for (int code = 1; code < db::kStatusCodeCount; ++code) {
          if (stats.errors[code] == 0) continue;
          samples.push_back({{std::string(GrpcCodeName(static_cast<grpc::StatusCode>(code)))},
                             static_cast<double>(stats.errors[code])});
        }
        return samples;
      });
}

void ServerMetrics::WatchWriteQueue(const WriteBatcher& batcher) {
  registry_.AddCallback("riskcap_write_queue_depth",
                        "Writes waiting for the write batcher's next group commit.",
                        MetricType::kGauge, {}, [&batcher] {
                          return std::vector<Sample>{
                              {{}, static_cast<double>(batcher.queued())}};
                        });
}

void ServerMetrics::WatchAuditChain(const AuditSealer& sealer) {
  registry_.AddCallback("riskcap_audit_chain_sealed_position",
                        "Position of the audit chain's sealed head, as this server last sealed.",
                        MetricType::kGauge, {},
                        [&sealer] { return SampleIfKnown(sealer.positions().sealed); });
  registry_.AddCallback("riskcap_audit_chain_checkpoint_position",
                        "Chain position the newest signed audit checkpoint covers (0: none).",
                        MetricType::kGauge, {},
                        [&sealer] { return SampleIfKnown(sealer.positions().checkpoint); });
}

}  // namespace riskcap::server::metrics
