// Internal to db/: a pool of SOCI sessions on one store, transactions, and the one place where
// SOCI exceptions become absl::Status. Nothing outside db/ includes this header.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string_view>
#include <type_traits>
#include <vector>

#include <soci/soci.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "db/store_url.h"

namespace riskcap::db {

// Maps a database exception to a Status: unique violation -> AlreadyExists, foreign key ->
// FailedPrecondition, check/not-null -> InvalidArgument, busy/serialization -> Aborted,
// connection -> Unavailable, anything else -> Internal. `context` prefixes the message.
absl::Status StatusFromException(const std::exception& e, std::string_view context);

// A fixed-size pool of open sessions. Safe for concurrent use.
class Database {
 public:
  // Opens `pool_size` sessions (1 for sqlite::memory:) and prepares each one (WAL, busy timeout,
  // synchronous=FULL and foreign keys on SQLite; UTC and ISO dates on PostgreSQL).
  static absl::StatusOr<std::unique_ptr<Database>> Open(const StoreUrl& url, int pool_size);
  ~Database();

  Backend backend() const { return url_.backend; }
  const StoreUrl& url() const { return url_; }
  int pool_size() const { return static_cast<int>(sessions_.size()); }

  // A session on loan from the pool; returned on destruction.
  class Lease {
   public:
    Lease(Database* db, size_t index) : db_(db), index_(index) {}
    Lease(Lease&& other) noexcept : db_(other.db_), index_(other.index_) { other.db_ = nullptr; }
    Lease(const Lease&) = delete;
    ~Lease();
    soci::session& operator*() const { return *db_->sessions_[index_]; }
    soci::session* operator->() const { return db_->sessions_[index_].get(); }

   private:
    Database* db_;
    size_t index_;
  };
  // Waits up to `timeout` for a free session; Unavailable when none frees up.
  absl::StatusOr<Lease> Acquire(absl::Duration timeout = absl::Seconds(30));

  // Runs `fn(soci::session&)` in a write transaction (BEGIN IMMEDIATE on SQLite, so writers queue
  // on the busy timeout instead of failing on lock upgrade). Commits when fn returns OK, rolls back
  // on error or exception. fn returns absl::Status or absl::StatusOr<T>.
  template <typename Fn>
  auto Write(Fn&& fn) -> std::invoke_result_t<Fn, soci::session&> {
    return Run(/*write=*/true, std::forward<Fn>(fn));
  }
  // Like Write, in a read-only transaction that sees one consistent snapshot.
  template <typename Fn>
  auto Read(Fn&& fn) -> std::invoke_result_t<Fn, soci::session&> {
    return Run(/*write=*/false, std::forward<Fn>(fn));
  }

  // Executes a multi-statement SQL script on `session` through the native handle.
  absl::Status ExecScript(soci::session& session, std::string_view sql);

 private:
  explicit Database(StoreUrl url) : url_(std::move(url)) {}
  void Release(size_t index);
  absl::Status Begin(soci::session& s, bool write);
  void Rollback(soci::session& s);

  template <typename Fn>
  auto Run(bool write, Fn&& fn) -> std::invoke_result_t<Fn, soci::session&> {
    auto lease = Acquire();
    if (!lease.ok()) return lease.status();
    soci::session& s = **lease;
    if (absl::Status begun = Begin(s, write); !begun.ok()) return begun;
    try {
      auto result = fn(s);
      if (!result.ok()) {
        Rollback(s);
        return result;
      }
      s.once << "COMMIT";
      return result;
    } catch (const std::exception& e) {
      Rollback(s);
      return StatusFromException(e, write ? "write" : "read");
    }
  }

  StoreUrl url_;
  std::vector<std::unique_ptr<soci::session>> sessions_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<size_t> free_;  // indexes of idle sessions
};

}  // namespace riskcap::db
