// In-process wake-up for WatchFindings streams: jobs report each stored finding (the runner's
// JobContext hook `finding_raised` calls Notify), and every waiting stream wakes to read the
// store. Findings raised by another replica are picked up by the streams' polling instead.
#pragma once

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/finding.h"

namespace riskcap::server {

// Safe for concurrent use without external synchronization.
class FindingNotifier {
 public:
  // Wakes every waiter. Cheap: no I/O, no copies of the finding.
  void Notify(const Finding& finding);

  // The number of notifications so far; pass it to WaitForChange.
  uint64_t sequence() const;

  // Blocks until a notification after `seen` (sequence() > seen), Shutdown, or `timeout`;
  // returns sequence() at wake-up.
  uint64_t WaitForChange(uint64_t seen, absl::Duration timeout) const;

  // Wakes everyone for good: later waits return at once. Call before the server's Shutdown, so
  // open streams end promptly (gRPC's sync API does not interrupt running handlers).
  void Shutdown();
  bool is_shutdown() const;

 private:
  mutable absl::Mutex mu_;
  uint64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace riskcap::server
