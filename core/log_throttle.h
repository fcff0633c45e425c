// Rate limiting for log records an attacker or a fault could otherwise repeat without bound
// (refused calls, failed authentication): one record per interval, with a count of the rest.
#pragma once

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace riskcap {

// Lets at most one record through per `interval`. Safe for concurrent use.
//
//   static LogThrottle throttle(absl::Seconds(10));
//   if (int64_t held = 0; throttle.Allow(absl::Now(), held)) {
//     Log(LogLevel::kWarning, "refused", {{"suppressed", held}});
//   }
class LogThrottle {
 public:
  explicit LogThrottle(absl::Duration interval) : interval_(interval) {}

  // True when a record may be written at `now`; `suppressed` is then set to the number of
  // records refused since the last one allowed. False (and the refusal counted) otherwise.
  bool Allow(absl::Time now, int64_t& suppressed);

 private:
  const absl::Duration interval_;
  absl::Mutex mu_;
  absl::Time last_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t suppressed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace riskcap
