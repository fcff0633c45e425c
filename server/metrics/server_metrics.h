// riskcapd's metrics (docs/operations.md, "Metrics"): the families it exposes and the calls
// that feed them. Created only when the metrics endpoint is on; components take a nullable
// pointer, so with metrics off the hot paths do nothing at all.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string_view>

#include "core/job_run.h"
#include "db/store.h"
#include "server/metrics/registry.h"

namespace riskcap::server {
class AuditSealer;
class WriteBatcher;
}

namespace riskcap::server::metrics {

// Thread-safe. Label values are bounded: RPC method names, status code names, job names,
// stream kinds — never a fund id, key or request id.
class ServerMetrics {
 public:
  // `version`: riskcapd's version, for riskcap_build_info.
  explicit ServerMetrics(std::string_view version);

  Registry& registry() { return registry_; }

  // One finished RPC: its method ("Service/Method"), final status and duration.
  void RecordRpc(std::string_view method, grpc::StatusCode code, double seconds);
  // A call refused UNAUTHENTICATED.
  void RecordAuthFailure(std::string_view method);
  // The gauge of open streams of `kind` ("upload", "submit_batch", "watch").
  Gauge& ActiveStreams(std::string_view kind) { return active_streams_.With({kind}); }
  // The sizes (writes per transaction) of the write batcher's group commits.
  Histogram& WriteBatchSizes() { return write_batch_size_; }
  // A job, pipeline or backfill run this server executed has reached its final state.
  void RecordJobRun(const JobRun& run);
  // A feed was quarantined; `origin` is "job" (a data job's fetch) or "upload" (IngestService).
  void RecordQuarantine(std::string_view origin);
  // A reminder or finding delivery reached `state` ("SENT", "FAILED", or "RETRY" for a
  // temporary failure that will be retried) over `channel` ("email" or "webhook"): for the
  // delivery worker.
  void RecordDelivery(std::string_view channel, std::string_view state) {
    deliveries_.With({channel, state}).Increment();
  }
  // The store health monitor's latest verdict.
  void SetStoreUp(bool up) { store_up_.Set(up ? 1 : 0); }

  // Read `store`'s pool counters (db::StoreStats) and `batcher`'s queue at each scrape; each
  // must outlive every later scrape (stop the endpoint first).
  void WatchStore(const db::Store& store);
  void WatchWriteQueue(const WriteBatcher& batcher);
  // Read `sealer`'s view of the audit chain (AuditSealer::positions) at each scrape; the same
  // lifetime rule.
  void WatchAuditChain(const AuditSealer& sealer);

 private:
  Registry registry_;
  CounterFamily& rpc_requests_;
  HistogramFamily& rpc_duration_;
  CounterFamily& auth_failures_;
  GaugeFamily& active_streams_;
  Histogram& write_batch_size_;
  CounterFamily& job_runs_;
  HistogramFamily& job_duration_;
  CounterFamily& job_rows_read_;
  CounterFamily& job_rows_written_;
  CounterFamily& feed_quarantines_;
  CounterFamily& deliveries_;
  Gauge& store_up_;
};

// The name of a gRPC status code, e.g. "INVALID_ARGUMENT"; "UNKNOWN" for a value out of range.
std::string_view GrpcCodeName(grpc::StatusCode code);

}  // namespace riskcap::server::metrics
