// StoreHealthMonitor: reports each change of the probe's outcome once, in order.
#include "server/rpc/store_health.h"

#include <atomic>
#include <mutex>
#include <vector>

#include "gtest/gtest.h"

namespace riskcap::server {
namespace {

class Reports {
 public:
  void Add(bool up) {
    std::lock_guard lock(mu_);
    seen_.push_back(up);
  }
  std::vector<bool> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  // Polls until `n` reports arrived (or 5 s passed).
  std::vector<bool> WaitFor(size_t n) const {
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (seen().size() < n && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
    return seen();
  }

 private:
  mutable std::mutex mu_;
  std::vector<bool> seen_;
};

TEST(StoreHealthMonitor, ReportsUnreachableThenReachableAgainOncePerChange) {
  std::atomic<bool> up{true};
  std::atomic<int> probes{0};
  Reports reports;
  StoreHealthMonitor monitor(
      [&] {
        ++probes;
        return up ? absl::OkStatus() : absl::UnavailableError("the store is unavailable; retry");
      },
      [&](bool reachable) { reports.Add(reachable); }, absl::Milliseconds(10));
  while (probes < 3) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_TRUE(reports.seen().empty()) << "reported while nothing changed";
  EXPECT_TRUE(monitor.reachable());

  up = false;
  EXPECT_EQ(reports.WaitFor(1), std::vector<bool>{false});
  EXPECT_FALSE(monitor.reachable());
  const int probed = probes;
  while (probes < probed + 3) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(reports.seen(), std::vector<bool>{false}) << "an unchanged outcome was reported again";

  up = true;
  EXPECT_EQ(reports.WaitFor(2), (std::vector<bool>{false, true}));
  EXPECT_TRUE(monitor.reachable());
}

TEST(StoreHealthMonitor, StopsProbingWhenDestroyed) {
  std::atomic<int> probes{0};
  {
    StoreHealthMonitor monitor([&] { ++probes; return absl::OkStatus(); }, [](bool) {},
                               absl::Milliseconds(5));
    while (probes < 2) absl::SleepFor(absl::Milliseconds(1));
  }
  const int after = probes;
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(probes, after);
}

}  // namespace
}  // namespace riskcap::server
