// LogThrottle: one record per interval, counting the ones held back.
#include "core/log_throttle.h"

namespace riskcap {

bool LogThrottle::Allow(absl::Time now, int64_t& suppressed) {
  absl::MutexLock lock(&mu_);
  if (last_ != absl::InfinitePast() && now - last_ < interval_) {
    ++suppressed_;
    return false;
  }
  last_ = now;
  suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace riskcap
