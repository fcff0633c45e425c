// AuthFailureCounter: failed authentication aggregated in memory, written once a second.
#include "server/rpc/auth_failure_counter.h"

#include <utility>

#include "core/logger.h"

namespace riskcap::server {

AuthFailureCounter::AuthFailureCounter(db::Store& store, absl::Duration flush_interval)
    : store_(store), flush_interval_(flush_interval), flusher_([this] { Run(); }) {}

AuthFailureCounter::~AuthFailureCounter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  flusher_.join();
  (void)Flush();
}

void AuthFailureCounter::Count(const AuthFailure& row) {
  const int64_t minute =
      absl::ToUnixSeconds(absl::UniversalEpoch() +
                          absl::Floor(row.last_at - absl::UniversalEpoch(), absl::Minutes(1)));
  std::lock_guard lock(mu_);
  Key key{row.peer, minute, row.method};
  auto it = pending_.find(key);
  if (it == pending_.end() && pending_.size() >= kMaxPending) {
    std::get<0>(key) = "other";
    it = pending_.find(key);
  }
  if (it == pending_.end()) {
    AuthFailure first = row;
    if (std::get<0>(key) == "other") first.peer = "other";
    first.failures = 0;
    it = pending_.emplace(key, std::move(first)).first;
  }
  ++it->second.failures;
  if (row.last_at >= it->second.last_at) {
    it->second.last_at = row.last_at;
    it->second.last_reason = row.last_reason;
  }
}

absl::Status AuthFailureCounter::Flush() {
  std::lock_guard flushing(flush_mu_);
  std::map<Key, AuthFailure> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  absl::Status first = absl::OkStatus();
  for (const auto& [key, row] : batch) {
    absl::Status st = store_.RecordAuthFailure(row);
    if (!st.ok()) {
      Log(LogLevel::kWarning, "failed authentication not recorded",
          {{"peer", row.peer}, {"method", row.method}, {"failures", row.failures},
           {"error", st.ToString()}});
      if (first.ok()) first = st;
    }
  }
  return first;
}

void AuthFailureCounter::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, absl::ToChronoMilliseconds(flush_interval_));
    if (stopping_) break;
    lock.unlock();
    (void)Flush();
    lock.lock();
  }
}

}  // namespace riskcap::server
