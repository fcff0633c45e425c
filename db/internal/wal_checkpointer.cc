// Background WAL checkpoints for a file-backed SQLite store (see db/internal/wal_checkpointer.h).
#include "db/internal/wal_checkpointer.h"

#include <string>
#include <utility>

#include "core/logger.h"

namespace riskcap::db {

WalCheckpointer::WalCheckpointer(std::unique_ptr<soci::session> own) : own_(std::move(own)) {
  // This connection only checkpoints; it never commits, so its own hook would never fire.
  sqlite_api::sqlite3_wal_autocheckpoint(
      static_cast<soci::sqlite3_session_backend*>(own_->get_backend())->conn_, 0);
  thread_ = std::thread([this] { Loop(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stop_.store(true);
  }
  cv_.notify_one();
  thread_.join();
}

void WalCheckpointer::Attach(soci::session& session) {
  auto* be = static_cast<soci::sqlite3_session_backend*>(session.get_backend());
  sqlite_api::sqlite3_wal_hook(be->conn_, &WalCheckpointer::OnCommit, this);
}

void WalCheckpointer::PauseForTest(bool paused) {
  {
    std::lock_guard lock(mu_);
    paused_.store(paused);
  }
  cv_.notify_one();
}

int WalCheckpointer::OnCommit(void* self, sqlite_api::sqlite3* /*conn*/, const char* /*db_name*/,
                              int wal_pages) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  checkpointer->wal_pages_.store(wal_pages, std::memory_order_relaxed);
  if (wal_pages >= kThresholdPages) {
    checkpointer->wake_.store(true);
    // Without the mutex a wake-up can land just before the thread starts waiting; it is then
    // seen at the thread's next periodic look (kRetryPeriod), as wake_ stays set.
    checkpointer->cv_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::Loop() {
  bool retry = false;  // the last attempt left frames behind or failed
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, absl::ToChronoNanoseconds(kRetryPeriod),
                   [&] { return stop_.load() || (!paused_.load() && wake_.load()); });
    }
    if (stop_.load()) return;
    if (paused_.load()) continue;
    bool woken = wake_.exchange(false);
    if (woken || retry) retry = !Checkpoint();
  }
}

bool WalCheckpointer::Checkpoint() {
  auto* conn = static_cast<soci::sqlite3_session_backend*>(own_->get_backend())->conn_;
  int wal_frames = 0;
  int backfilled = 0;
  int rc = sqlite_api::sqlite3_wal_checkpoint_v2(conn, nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                                 &wal_frames, &backfilled);
  if (rc == SQLITE_OK) {
    failures_in_a_row_ = 0;
    completed_.fetch_add(1);
    return backfilled >= wal_frames;  // short when a reader still needs older frames
  }
  // BUSY: another connection is checkpointing (e.g. one closing); nothing is wrong.
  if ((rc & 0xff) != SQLITE_BUSY && failures_in_a_row_++ == 0) {
    Log(LogLevel::kWarning, "sqlite wal checkpoint failed; retrying",
        {{"error", std::string(sqlite_api::sqlite3_errmsg(conn))},
         {"wal_pages", wal_pages_.load(std::memory_order_relaxed)}});
  }
  return false;
}

}  // namespace riskcap::db
