// Internal to db/: checkpoints a file-backed SQLite store's write-ahead log on a background thread,
// so no committing connection pays for a checkpoint inside its commit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "absl/time/time.h"

namespace riskcap::db {

// SQLite's default auto-checkpoint runs a PASSIVE checkpoint on the connection whose commit left
// 1000 or more pages in the WAL, synchronously, before that commit returns. Attach() replaces that
// hook on a connection with one that only records the WAL's size and, past the same threshold,
// wakes this object's thread, which runs the PASSIVE checkpoint on its own connection. A PASSIVE
// checkpoint never waits for readers or writers. A commit is durable before any checkpoint
// (WAL with synchronous=FULL), so moving the checkpoint changes latency, not durability.
// Attach() and the accessors are safe for concurrent use. An attached connection must not commit
// after this object is destroyed (Database destroys it before closing its sessions).
class WalCheckpointer {
 public:
  static constexpr int kThresholdPages = 1000;  // SQLite's SQLITE_DEFAULT_WAL_AUTOCHECKPOINT
  // How often the thread looks again when a checkpoint was due but did not finish (a reader held
  // old frames, another checkpoint was running) or a wake-up raced its wait.
  static constexpr absl::Duration kRetryPeriod = absl::Seconds(2);

  // Takes `own` (a prepared session on the store, used only by the thread) and starts the thread.
  explicit WalCheckpointer(std::unique_ptr<soci::session> own);
  // Stops and joins the thread, then closes its connection; an unfinished checkpoint is left to
  // the next one or to the last connection to close.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Installs the waking hook on `session`'s connection (replacing SQLite's auto-checkpoint).
  void Attach(soci::session& session);

  // Checkpoints that completed without error (fully or partly), for tests and diagnostics.
  int64_t checkpoints_completed() const { return completed_.load(); }
  // Test-only: while paused the thread runs no checkpoint (wake-ups are remembered), so a test
  // can observe the store right after a commit. Never used in production code.
  void PauseForTest(bool paused);

 private:
  // The hook: records the WAL size and wakes the thread; never blocks, always SQLITE_OK.
  static int OnCommit(void* self, sqlite_api::sqlite3* conn, const char* db_name, int wal_pages);
  void Loop();
  // Runs one PASSIVE checkpoint; false when frames remain for a later attempt.
  bool Checkpoint();

  std::unique_ptr<soci::session> own_;
  std::atomic<int> wal_pages_{0};     // WAL size the last commit reported
  std::atomic<bool> wake_{false};     // a commit crossed the threshold since the last checkpoint
  std::atomic<bool> stop_{false};
  std::atomic<bool> paused_{false};
  std::atomic<int64_t> completed_{0};
  int failures_in_a_row_ = 0;  // thread only: a failing streak logs once, not every retry
  std::mutex mu_;  // only for cv_ waits; the hook never takes it
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace riskcap::db
