// Opening a SQLite store while another process holds the database's write lock: the opener waits
// (busy timeout) instead of failing at once with "database is locked".
#include <sqlite3.h>

#include <filesystem>
#include <thread>

#include "absl/time/clock.h"
#include "db/store.h"
#include "gtest/gtest.h"

namespace riskcap::db {
namespace {

TEST(DatabaseOpen, SqliteOpenWaitsForAnotherConnectionsExclusiveLock) {
  const std::string path = ::testing::TempDir() + "/open-while-locked.db";
  std::filesystem::remove(path);
  // Another "process": a fresh file in rollback-journal mode with an exclusive lock held, as a
  // migrator creating the database holds it.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE; CREATE TABLE t (x INTEGER);", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  std::thread release([other] {
    absl::SleepFor(absl::Milliseconds(300));
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });

  const absl::Time start = absl::Now();
  auto store = Store::Open("sqlite:" + path, 1);
  const absl::Duration waited = absl::Now() - start;
  release.join();
  sqlite3_close(other);

  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_GE(waited, absl::Milliseconds(200));  // it waited for the lock rather than failing
  auto migrated = (*store)->Migrate();
  EXPECT_TRUE(migrated.ok()) << migrated.status();
}

}  // namespace
}  // namespace riskcap::db
