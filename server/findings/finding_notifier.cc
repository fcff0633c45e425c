// FindingNotifier: a sequence number and a condition over it.
#include "server/findings/finding_notifier.h"

namespace riskcap::server {

void FindingNotifier::Notify(const Finding&) {
  absl::MutexLock lock(&mu_);
  ++sequence_;
}

uint64_t FindingNotifier::sequence() const {
  absl::MutexLock lock(&mu_);
  return sequence_;
}

uint64_t FindingNotifier::WaitForChange(uint64_t seen, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto changed = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return shutdown_ || sequence_ > seen;
  };
  mu_.AwaitWithTimeout(absl::Condition(&changed), timeout);
  return sequence_;
}

void FindingNotifier::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
}

bool FindingNotifier::is_shutdown() const {
  absl::MutexLock lock(&mu_);
  return shutdown_;
}

}  // namespace riskcap::server
