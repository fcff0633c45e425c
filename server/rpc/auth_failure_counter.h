// Failed authentication, counted in memory and written to the store in the background: a flood
// of calls without a valid key costs the store one upsert per (peer, minute, method) and second,
// not one per call, and no gRPC thread ever waits on the store to count a refusal.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>

#include "absl/time/time.h"
#include "core/audit.h"
#include "db/store.h"

namespace riskcap::server {

// Safe for concurrent use. The destructor writes what is still pending.
class AuthFailureCounter {
 public:
  // Distinct (peer, minute, method) counts held between two writes; beyond it, failures are
  // counted under the peer "other", so memory stays bounded whatever the callers' addresses.
  static constexpr size_t kMaxPending = 4096;

  AuthFailureCounter(db::Store& store, absl::Duration flush_interval);
  ~AuthFailureCounter();
  AuthFailureCounter(const AuthFailureCounter&) = delete;
  AuthFailureCounter& operator=(const AuthFailureCounter&) = delete;

  // Counts one failure of `row.method` from `row.peer` at `row.last_at` (row.failures ignored).
  void Count(const AuthFailure& row);
  // Writes the pending counts now; the first store error, if any (those counts are dropped and
  // logged: a count is evidence, not data a caller was promised).
  absl::Status Flush();

 private:
  using Key = std::tuple<std::string, int64_t, std::string>;  // peer, minute (Unix s), method
  void Run();

  db::Store& store_;
  const absl::Duration flush_interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<Key, AuthFailure> pending_;
  std::mutex flush_mu_;  // one writer at a time, so counts reach the store in order
  std::thread flusher_;
};

}  // namespace riskcap::server
