// ClosedLoop: the launch / finish cycle of each in-flight slot.
#include "bench/closed_loop.h"

#include <utility>

namespace riskcap::bench {
namespace {

std::chrono::steady_clock::duration Seconds(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(s));
}

}  // namespace

ClosedLoop::ClosedLoop(const LoadOptions& options, CallStarter start)
    : options_(options), start_(std::move(start)) {}

LoadReport ClosedLoop::Run() {
  Clock::time_point begin = Clock::now();
  measure_from_ = begin + Seconds(options_.warmup);
  stop_at_ = measure_from_ + Seconds(options_.seconds);
  {
    std::lock_guard lock(mu_);
    outstanding_ = options_.inflight;
  }
  for (int i = 0; i < options_.inflight; ++i) Launch();
  {
    std::unique_lock lock(mu_);
    drained_.wait(lock, [&] { return outstanding_ == 0; });
  }
  LoadReport report;
  report.ok = ok_.load();
  report.errors = failed_.load();
  report.unmeasured = unmeasured_.load();
  report.seconds = options_.seconds;
  return report;
}

void ClosedLoop::Launch() {
  int64_t seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
  Clock::time_point started = Clock::now();
  start_(seq, [this, started](const grpc::Status& status) { Finish(started, status); });
}

// Each slot re-launches from its own completion until the window closes, so exactly
// options_.inflight calls are outstanding until then.
void ClosedLoop::Finish(Clock::time_point started, const grpc::Status& status) {
  Clock::time_point now = Clock::now();
  if (!status.ok()) errors_.Add(status);
  if (now >= measure_from_ && now < stop_at_) {
    latency_.Record(now - started);
    (status.ok() ? ok_ : failed_).fetch_add(1, std::memory_order_relaxed);
  } else {
    unmeasured_.fetch_add(1, std::memory_order_relaxed);
  }
  if (now < stop_at_) {
    Launch();
    return;
  }
  std::lock_guard lock(mu_);
  if (--outstanding_ == 0) drained_.notify_all();
}

}  // namespace riskcap::bench
