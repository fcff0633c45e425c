// How long one statement of a store session may run, and wait for a lock, before it fails.
#pragma once

#include "absl/time/time.h"

namespace riskcap::db {

struct SessionTimeouts {
  // PostgreSQL statement_timeout: a longer statement is cancelled and fails Unavailable.
  // (SQLite has no equivalent; its statements are local and bounded by the lock wait below.)
  absl::Duration statement = absl::Seconds(60);
  // How long a statement waits for a lock another transaction holds before it fails
  // Unavailable ("the store is busy"): PostgreSQL lock_timeout, SQLite busy timeout.
  absl::Duration lock = absl::Seconds(30);
};

}  // namespace riskcap::db
