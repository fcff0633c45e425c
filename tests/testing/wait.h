// Waiting on a condition in tests: poll it until it holds or a timeout passes, never sleep for
// an outcome.
#pragma once

#include <functional>
#include <optional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace riskcap::testing {

// Polls `done` every `poll` until it holds or `timeout` passes: the time it was first seen to
// hold, or nullopt. It is asked once more at the deadline.
inline std::optional<absl::Time> WaitFor(const std::function<bool()>& done,
                                         absl::Duration timeout = absl::Seconds(60),
                                         absl::Duration poll = absl::Milliseconds(10)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (done()) return absl::Now();
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(poll);  // the poll interval, not a wait for an outcome
  }
}

}  // namespace riskcap::testing
