// Short-lived, process-local copies of the rows the submission hot path reads on every call: API
// keys by secret hash, funds by id, and each fund's row in the latest exposure snapshot.
//
// Staleness contract: a change made through the same Store (any RPC, job or test in this
// process) clears what it changes once its transaction has ended, so the next look-up reads it
// fresh. A change made elsewhere (another riskcapd on the same PostgreSQL database, `riskcapd
// keys`, SQL by hand) shows within Store::kLookupTtl.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/audit.h"
#include "core/date.h"
#include "core/exposure.h"
#include "core/fund.h"
#include "db/store.h"

namespace riskcap::db {

// A map whose entries expire after Store::kLookupTtl. Safe for concurrent use.
//
// A reader that misses takes generation() before reading the database and passes it to Put; a
// Clear (or Erase) in between bumps the generation and the Put is dropped, so a row read before a
// change committed is never cached after the change cleared the cache.
template <typename K, typename V>
class TtlMap {
 public:
  std::optional<V> Get(const K& key) const {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end() || absl::Now() - it->second.read_at > Store::kLookupTtl) {
      return std::nullopt;
    }
    return it->second.value;
  }
  uint64_t generation() const {
    std::lock_guard lock(mu_);
    return generation_;
  }
  void Put(const K& key, V value, uint64_t read_generation) {
    std::lock_guard lock(mu_);
    if (read_generation != generation_) return;
    // Bounded: an unusual key set (say, a scan over every fund) cannot grow it without limit.
    if (map_.size() >= kMaxEntries) map_.clear();
    map_.insert_or_assign(key, Entry{std::move(value), absl::Now()});
  }
  void Erase(const K& key) {
    std::lock_guard lock(mu_);
    ++generation_;
    map_.erase(key);
  }
  void Clear() {
    std::lock_guard lock(mu_);
    ++generation_;
    map_.clear();
  }

 private:
  static constexpr size_t kMaxEntries = 100'000;
  struct Entry {
    V value;
    absl::Time read_at;
  };
  mutable std::mutex mu_;
  absl::flat_hash_map<K, Entry> map_;
  uint64_t generation_ = 0;
};

// A fund's row in the latest exposure snapshot on or before `on` (nullopt: not in it, or none).
struct LatestExposure {
  Date on;
  std::optional<FundExposure> row;
};

// What a Store caches.
struct LookupCaches {
  TtlMap<std::string, ApiKey> api_keys;         // by secret hash; unknown hashes are not cached
  TtlMap<int64_t, Fund> funds;                  // by id; unknown ids are not cached
  TtlMap<int64_t, LatestExposure> exposures;    // by fund id
};

}  // namespace riskcap::db
