// Keeps grpc.health.v1 honest about the store: NOT_SERVING while the database does not answer,
// SERVING again once it does, without restarting riskcapd (docs/operations.md, "Outages and
// health").
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace riskcap::server {

// A thread that runs `probe` every `interval` and calls `report(reachable)` whenever the
// outcome changes (the store is assumed reachable at start, as riskcapd has just opened it).
// Changes are logged, with the probe's error when the store becomes unreachable. `probe` should
// bound its own duration (db::Store::CheckReachable does). Thread-safe.
class StoreHealthMonitor {
 public:
  StoreHealthMonitor(std::function<absl::Status()> probe, std::function<void(bool)> report,
                     absl::Duration interval = absl::Seconds(1));
  ~StoreHealthMonitor();  // stops the thread; `report` is not called after it returns
  StoreHealthMonitor(const StoreHealthMonitor&) = delete;
  StoreHealthMonitor& operator=(const StoreHealthMonitor&) = delete;

  bool reachable() const;

 private:
  void Run();
  void Observe(const absl::Status& probed);

  const std::function<absl::Status()> probe_;
  const std::function<void(bool)> report_;
  const absl::Duration interval_;
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;    // guarded by mu_
  bool reachable_ = true;    // guarded by mu_
  absl::Time down_since_;    // guarded by mu_; when the current outage was first seen
  std::thread thread_;
};

}  // namespace riskcap::server
