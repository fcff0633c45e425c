// SQLite only (the WAL is SQLite's): checkpoints run on the store's background thread
// (db/internal/wal_checkpointer.h), never inside the commit that filled the WAL, and closing the store
// still leaves a complete database file.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "db/internal/database.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"
#include "tests/testing/wait.h"

namespace riskcap::db {
namespace {

constexpr int64_t kRows = 2000;
constexpr int64_t kRowBytes = 4000;  // kRows * kRowBytes is about 2000 pages: twice the threshold

int64_t FileSize(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? -1 : static_cast<int64_t>(size);
}

// Polls `done` for up to 10 s.
bool Eventually(const std::function<bool()>& done) {
  return testing::WaitFor(done, absl::Seconds(10)).has_value();
}

class SqliteWalCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    auto scratch = riskcap::testing::ScratchDatabase::Create(Backend::kSqlite);
    ASSERT_TRUE(scratch.ok()) << scratch.status();
    scratch_ = std::move(*scratch);
    path_ = scratch_->url().substr(std::string("sqlite:").size());
    OpenStore();
    absl::Status created = database().Write([](soci::session& s) -> absl::Status {
      s << "CREATE TABLE filler (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)";
      return absl::OkStatus();
    });
    ASSERT_TRUE(created.ok()) << created;
  }

  void OpenStore() {
    auto store = Store::Open(scratch_->url(), 4);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  Database& database() { return store_->database(); }

  // One commit that leaves about 2000 pages in the WAL.
  absl::Status FillOneCommit() {
    return database().Write([](soci::session& s) -> absl::Status {
      s << absl::StrCat(
          "INSERT INTO filler (payload) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
          "FROM n WHERE i < ", kRows, ") SELECT randomblob(", kRowBytes, ") FROM n");
      return absl::OkStatus();
    });
  }

  int64_t PageSize() {
    int page_size = 0;
    absl::Status read = database().Read([&](soci::session& s) -> absl::Status {
      s << "PRAGMA page_size", soci::into(page_size);
      return absl::OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read;
    return page_size;
  }

  std::unique_ptr<riskcap::testing::ScratchDatabase> scratch_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteWalCheckpoint, CommitLeavesFramesInWalAndBackgroundThreadCopiesThem) {
  const int64_t page_size = PageSize();
  ASSERT_GT(page_size, 0);
  // Held so the committing call's own effect can be observed; without the hook the commit would
  // checkpoint by itself (SQLite's default) and the main file would grow before Write returns.
  database().PauseWalCheckpointsForTest(true);
  const int64_t db_before = FileSize(path_);
  ASSERT_GE(db_before, 0);

  absl::Status filled = FillOneCommit();
  ASSERT_TRUE(filled.ok()) << filled;

  EXPECT_EQ(FileSize(path_), db_before) << "the commit copied pages into the main file itself";
  EXPECT_GT(FileSize(path_ + "-wal"), 1000 * page_size);
  EXPECT_EQ(database().wal_checkpoints_completed(), 0);

  database().PauseWalCheckpointsForTest(false);
  const int64_t data_bytes = kRows * kRowBytes;
  EXPECT_TRUE(Eventually([&] {
    return database().wal_checkpoints_completed() >= 1 && FileSize(path_) >= db_before + data_bytes;
  })) << "checkpoints=" << database().wal_checkpoints_completed()
      << " db_bytes=" << FileSize(path_);
}

TEST_F(SqliteWalCheckpoint, CheckpointHeldBackByAReaderFinishesAfterItWithNoFurtherCommit) {
  const int64_t db_before = FileSize(path_);
  const int64_t data_bytes = kRows * kRowBytes;
  {
    auto reader = database().Acquire();
    ASSERT_TRUE(reader.ok()) << reader.status();
    int64_t rows = -1;
    **reader << "BEGIN";
    **reader << "SELECT COUNT(*) FROM filler", soci::into(rows);  // its snapshot predates the fill
    ASSERT_EQ(rows, 0);

    absl::Status filled = FillOneCommit();
    ASSERT_TRUE(filled.ok()) << filled;
    // The woken thread checkpoints, but a passive checkpoint may not copy pages the reader's
    // snapshot still needs from the main file.
    ASSERT_TRUE(Eventually([&] { return database().wal_checkpoints_completed() >= 1; }));
    EXPECT_LT(FileSize(path_), db_before + data_bytes);
    **reader << "ROLLBACK";
  }
  // No commit follows to wake the thread again: its periodic retry finishes the job.
  EXPECT_TRUE(Eventually([&] { return FileSize(path_) >= db_before + data_bytes; }))
      << "checkpoints=" << database().wal_checkpoints_completed() << " db_bytes=" << FileSize(path_);
}

TEST_F(SqliteWalCheckpoint, ClosingWithUncheckpointedWalLeavesCompleteDatabase) {
  database().PauseWalCheckpointsForTest(true);  // the rows are only in the WAL at close
  absl::Status filled = FillOneCommit();
  ASSERT_TRUE(filled.ok()) << filled;
  ASSERT_EQ(database().wal_checkpoints_completed(), 0);

  store_.reset();
  // The last connection to close checkpointed everything into the main file and removed the WAL.
  EXPECT_FALSE(std::filesystem::exists(path_ + "-wal"));
  EXPECT_GE(FileSize(path_), kRows * kRowBytes);

  OpenStore();
  int64_t rows = 0;
  absl::Status counted = database().Read([&](soci::session& s) -> absl::Status {
    s << "SELECT COUNT(*) FROM filler WHERE length(payload) = " << kRowBytes, soci::into(rows);
    return absl::OkStatus();
  });
  ASSERT_TRUE(counted.ok()) << counted;
  EXPECT_EQ(rows, kRows);
}

}  // namespace
}  // namespace riskcap::db
