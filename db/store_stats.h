// What a store's session pool and connections have done so far: plain numbers the server reads
// for its metrics (db does not know about metrics).
#pragma once

#include <array>
#include <cstdint>

namespace riskcap::db {

// The number of absl::StatusCode values (OK = 0 .. UNAUTHENTICATED = 16).
inline constexpr int kStatusCodeCount = 17;

struct StoreStats {
  int pool_size = 0;            // pooled sessions
  int sessions_in_use = 0;      // leased right now
  int64_t lease_waits = 0;      // leases that found no idle session and had to wait
  int64_t lease_timeouts = 0;   // of those, the ones that gave up: none freed in time
  int64_t reconnects = 0;       // broken connections replaced by new ones
  int64_t reconnect_failures = 0;  // attempts to replace one that could not connect
  // Transactions the database failed with an error, by absl::StatusCode (e.g. UNAVAILABLE for a
  // lost connection or a timeout, ALREADY_EXISTS for a unique violation).
  std::array<int64_t, kStatusCodeCount> errors{};
};

}  // namespace riskcap::db
