// Closed-loop load: keeps a fixed number of asynchronous calls outstanding for a fixed time,
// starting a new call as each one completes, and measures every call's latency and outcome.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include <grpcpp/support/status.h>

#include "bench/call_errors.h"
#include "bench/latency_histogram.h"
#include "bench/load_options.h"

namespace riskcap::bench {

// Reports one call's outcome. Call exactly once, from any thread.
using CallDone = std::function<void(const grpc::Status&)>;
// Starts call number `seq` (0, 1, 2, ..., unique within the run) asynchronously and arranges for
// `done` to be called with its outcome. Must not block: it runs on gRPC's callback threads.
using CallStarter = std::function<void(int64_t seq, CallDone done)>;

// What the measured window saw. Calls completing during warm-up or after the window count in
// `unmeasured` only.
struct LoadReport {
  int64_t ok = 0;          // calls that completed OK within the window
  int64_t errors = 0;      // calls that completed with a non-OK status within the window
  int64_t unmeasured = 0;  // calls that completed during warm-up or while draining
  double seconds = 0;      // length of the window
  double qps() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
};

// Not copyable. Run once; latency() and errors() are complete after Run returns.
class ClosedLoop {
 public:
  ClosedLoop(const LoadOptions& options, CallStarter start);

  // Drives `options.inflight` calls for warm-up plus the measured window, then waits for the
  // calls still outstanding (at most one deadline).
  LoadReport Run();

  // Latencies of the calls completed within the window, OK or not.
  const LatencyHistogram& latency() const { return latency_; }
  // Every failed call, warm-up and drain included.
  const ErrorTally& errors() const { return errors_; }

 private:
  using Clock = std::chrono::steady_clock;

  void Launch();
  void Finish(Clock::time_point started, const grpc::Status& status);

  const LoadOptions options_;
  const CallStarter start_;
  Clock::time_point measure_from_;
  Clock::time_point stop_at_;
  std::atomic<int64_t> next_seq_{0};
  std::atomic<int64_t> ok_{0};
  std::atomic<int64_t> failed_{0};
  std::atomic<int64_t> unmeasured_{0};
  LatencyHistogram latency_;
  ErrorTally errors_;
  std::mutex mu_;
  std::condition_variable drained_;
  int outstanding_ = 0;  // guarded by mu_
};

}  // namespace riskcap::bench
