// Internal to db/: a pool of SOCI sessions on one store, transactions, and the one place where
// SOCI exceptions become absl::Status. Nothing outside db/ includes this header.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <soci/soci.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "db/session_timeouts.h"
#include "db/store_stats.h"
#include "db/store_url.h"

namespace riskcap::db {

class WalCheckpointer;

// Maps a database exception to a Status (db/store_error.cc): unique violation -> AlreadyExists,
// foreign key -> FailedPrecondition, check/not-null -> InvalidArgument, each with the
// database's message prefixed by `context`. The rest get a generic message and keep the driver's
// text, with `context`, for the server log only (db/store_error.h): serialization failure ->
// Aborted; broken or refused connection, server shutting down, lock or statement timeout ->
// Unavailable; disk full -> ResourceExhausted; anything else -> Internal.
absl::Status StatusFromException(const std::exception& e, std::string_view context);

// The status of a Write or Read result, whichever of the two result types fn returns.
inline const absl::Status& StatusOf(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& result) {
  return result.status();
}

// A fixed-size pool of open sessions. Safe for concurrent use.
//
// Outages: a PostgreSQL session whose connection broke (the server restarted, the network
// dropped) is replaced by a new connection when it is next leased; while none can be opened the
// lease fails Unavailable, so the pool recovers by itself once the server is back. A
// transaction that fails to begin on a connection found broken is begun once more on a new one,
// so sessions left over from before an outage cost no call after it.
class Database {
 public:
  // Opens `pool_size` sessions (1 for sqlite::memory:) and prepares each one (WAL, busy timeout,
  // synchronous=FULL and foreign keys on SQLite; UTC, ISO dates, statement and lock timeouts on
  // PostgreSQL). A file-backed SQLite store also gets a background WAL checkpointer on a
  // connection of its own (db/internal/wal_checkpointer.h): no commit runs a checkpoint itself.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const StoreUrl& url, int pool_size,
                                                        const SessionTimeouts& timeouts = {});
  // Stops the checkpointer before closing the sessions; the last to close checkpoints the rest.
  ~Database();

  Backend backend() const { return url_.backend; }
  const StoreUrl& url() const { return url_; }
  int pool_size() const { return static_cast<int>(sessions_.size()); }

  // A new session outside the pool, prepared like the pooled ones, for a caller that must hold
  // one connection for a long time (the PostgreSQL advisory lock of a job run). It must be
  // closed before this Database is destroyed.
  absl::StatusOr<std::unique_ptr<soci::session>> OpenDedicatedSession();

  // Runs a trivial query on a session of its own, reconnecting it first if its connection
  // broke: OK when the database answers. Serialised; the query is bounded by a 5 s timeout.
  // When it answers, idle pooled sessions whose server closed their connection (it restarted)
  // are replaced at once, so their sockets do not linger in CLOSE-WAIT until the next lease.
  absl::Status Probe();

  // The pool's counters so far (db/store_stats.h). Safe to call at any time.
  StoreStats Stats() const;

  // Background WAL checkpoints that completed (file-backed SQLite only; else 0), for tests.
  int64_t wal_checkpoints_completed() const;
  // Test-only: holds background WAL checkpoints until called with false. No-op without them.
  void PauseWalCheckpointsForTest(bool paused);

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
    friend class Database;
    Database* db_;
    size_t index_;
  };
  // Waits up to `timeout` for a free session; Unavailable when none frees up, or when its
  // connection had broken and cannot be opened again now.
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

  // Like Write, but the Write and Read calls this thread makes on this database while fn runs
  // join its transaction instead of opening their own, so several store methods commit or roll
  // back together (db/store_requests.cc). A joined Write that fails, or a joined call that throws,
  // dooms the transaction: it rolls back and that error is returned even if fn returns OK (after
  // a failed statement PostgreSQL refuses the rest of the transaction anyway). Called while
  // already joined, it joins too.
  template <typename Fn>
  auto WriteTogether(Fn&& fn) -> std::invoke_result_t<Fn, soci::session&> {
    using Result = std::invoke_result_t<Fn, soci::session&>;
    if (Joined* outer = JoinedHere()) return RunJoined(*outer, /*write=*/true, fn);
    Joined joined{nullptr, absl::OkStatus(), {}};
    Result outcome = Run(/*write=*/true, [&](soci::session& s) -> Result {
      joined.session = &s;
      JoinScope scope(this, &joined);
      try {
        Result result = fn(s);
        if (result.ok() && !joined.doomed.ok()) return joined.doomed;
        return result;
      } catch (const std::exception&) {
        // After a doomed call, later statements fail only because of it: report the cause.
        if (!joined.doomed.ok()) return joined.doomed;
        throw;
      }
    });
    for (const auto& fn_after : joined.after) fn_after();
    return outcome;
  }

  // Runs `fn` once the calling thread's transaction has ended: at once outside WriteTogether,
  // else when the outermost WriteTogether has committed or rolled back. Store methods use it to
  // clear cached rows they change (db/internal/lookup_cache.h) only once no reader can see the old row.
  void AfterTransaction(std::function<void()> fn);

  // Executes a multi-statement SQL script on `session` through the native handle.
  absl::Status ExecScript(soci::session& session, std::string_view sql);

 private:
  // A WriteTogether transaction and the first failure of a call that joined it.
  struct Joined {
    soci::session* session;
    absl::Status doomed;
    std::vector<std::function<void()>> after;  // AfterTransaction callbacks, in order
  };
  // Makes `joined` the calling thread's transaction for its lifetime.
  class JoinScope {
   public:
    JoinScope(Database* db, Joined* joined);
    ~JoinScope();
    JoinScope(const JoinScope&) = delete;
    JoinScope& operator=(const JoinScope&) = delete;

   private:
    Database* db_;
  };

  Database(StoreUrl url, std::string conninfo, const SessionTimeouts& timeouts);
  // Opens one session prepared for this store (and hooked to the checkpointer, if any).
  absl::StatusOr<std::unique_ptr<soci::session>> NewSession();
  // False once libpq has seen the session's connection break (always true on SQLite).
  bool Connected(soci::session& s) const;
  // Replaces the leased session with a new connection when its own has broken.
  absl::Status RenewIfBroken(Lease& lease);
  void RenewBrokenIdleSessions();
  std::optional<Lease> TakeIfIdle(size_t index);
  void Release(size_t index);
  // Begins on the leased session, once more on a new connection if the first try found the
  // connection broken (nothing had been done on it yet, so the retry is safe).
  absl::Status BeginLive(Lease& lease, bool write);
  absl::Status Begin(soci::session& s, bool write);
  void Rollback(soci::session& s);
  Joined* JoinedHere();  // the calling thread's WriteTogether transaction, or nullptr
  // Counts a failed transaction under its status code (StoreStats::errors); returns it.
  absl::Status CountError(absl::Status failed);

  template <typename Fn>
  auto RunJoined(Joined& joined, bool write, Fn& fn) -> std::invoke_result_t<Fn, soci::session&> {
    try {
      auto result = fn(*joined.session);
      if (write && !result.ok() && joined.doomed.ok()) joined.doomed = StatusOf(result);
      return result;
    } catch (const std::exception& e) {
      absl::Status failed = CountError(StatusFromException(e, write ? "write" : "read"));
      if (joined.doomed.ok()) joined.doomed = failed;
      return failed;
    }
  }

  template <typename Fn>
  auto Run(bool write, Fn&& fn) -> std::invoke_result_t<Fn, soci::session&> {
    if (Joined* joined = JoinedHere()) return RunJoined(*joined, write, fn);
    auto lease = Acquire();
    if (!lease.ok()) return lease.status();
    if (absl::Status begun = BeginLive(*lease, write); !begun.ok()) return begun;
    soci::session& s = **lease;
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
      return CountError(StatusFromException(e, write ? "write" : "read"));
    }
  }

  StoreUrl url_;
  std::string conninfo_;  // PostgreSQL: libpq keyword=value connection string
  SessionTimeouts timeouts_;
  // A slot is replaced only by the thread leasing it; the vector itself never changes size.
  std::vector<std::unique_ptr<soci::session>> sessions_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<size_t> free_;  // indexes of idle sessions
  std::unordered_map<std::thread::id, Joined*> joined_;  // guarded by mu_
  std::atomic<int> joined_count_{0};  // joined_.size(), so Run skips the lock when none
  // StoreStats counters; the pool size and sessions in use are read from free_ under mu_.
  std::atomic<int64_t> lease_waits_{0};
  std::atomic<int64_t> lease_timeouts_{0};
  std::atomic<int64_t> reconnects_{0};
  std::atomic<int64_t> reconnect_failures_{0};
  std::array<std::atomic<int64_t>, kStatusCodeCount> errors_{};
  std::unique_ptr<WalCheckpointer> checkpointer_;  // file-backed SQLite only
  std::mutex probe_mu_;
  std::unique_ptr<soci::session> probe_;  // Probe()'s own session; guarded by probe_mu_
};

}  // namespace riskcap::db
