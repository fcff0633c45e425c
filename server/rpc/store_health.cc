// StoreHealthMonitor: the probe loop and its transitions.
#include "server/rpc/store_health.h"

#include "core/logger.h"

namespace riskcap::server {

StoreHealthMonitor::StoreHealthMonitor(std::function<absl::Status()> probe,
                                       std::function<void(bool)> report, absl::Duration interval)
    : probe_(std::move(probe)), report_(std::move(report)), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

StoreHealthMonitor::~StoreHealthMonitor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

bool StoreHealthMonitor::reachable() const {
  std::lock_guard lock(mu_);
  return reachable_;
}

void StoreHealthMonitor::Run() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(interval_),
                            [&] { return stopping_; })) {
        return;
      }
    }
    Observe(probe_());
  }
}

// Reports on the probing thread, so reports arrive in order and never after the destructor.
void StoreHealthMonitor::Observe(const absl::Status& probed) {
  const bool now_reachable = probed.ok();
  absl::Duration outage;
  {
    std::lock_guard lock(mu_);
    if (now_reachable == reachable_) return;
    reachable_ = now_reachable;
    if (!now_reachable) down_since_ = absl::Now();
    outage = absl::Now() - down_since_;
  }
  if (now_reachable) {
    Log(LogLevel::kInfo, "store reachable again; health SERVING",
        {{"outage_seconds", absl::ToDoubleSeconds(outage)}});
  } else {
    Log(LogLevel::kError, "store unreachable; health NOT_SERVING",
        {{"error", probed.ToString()}});
  }
  report_(now_reachable);
}

}  // namespace riskcap::server
