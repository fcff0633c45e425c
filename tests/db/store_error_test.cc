// Store failures as clients see them: a generic message per cause, the driver's text only in the
// detail payload, and a full disk that leaves the store intact.
#include "db/store_error.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "db/internal/database.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"

namespace riskcap::db {
namespace {

TEST(StoreError, DetailTravelsInThePayloadNotTheMessage) {
  absl::Status st = StoreError(absl::StatusCode::kUnavailable, kStoreUnavailable, "driver says");
  EXPECT_EQ(st.message(), kStoreUnavailable);
  EXPECT_EQ(StoreErrorDetail(st), "driver says");
  EXPECT_TRUE(absl::StrContains(st.ToString(), "driver says")) << st;  // for the server log
  EXPECT_EQ(StoreErrorDetail(absl::UnavailableError("other")), std::nullopt);
}

TEST(StoreError, UnreachablePostgresIsUnavailableWithLibpqTextOnlyInTheDetail) {
  const int port = testing::FreeLoopbackPort();  // nothing listens there
  auto store = Store::Open(absl::StrCat("postgresql://riskcap@127.0.0.1:", port, "/riskcap"), 1);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
  EXPECT_EQ(store.status().message(), kStoreUnavailable);
  std::optional<std::string> detail = StoreErrorDetail(store.status());
  ASSERT_TRUE(detail.has_value());
  EXPECT_TRUE(absl::StrContains(*detail, absl::StrCat(port))) << *detail;
}

TEST(StoreError, SqliteDiskFullIsResourceExhaustedAndLeavesTheStoreIntact) {
  const std::string path = ::testing::TempDir() + "/store-error-full.db";
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(path + ext);
  auto store = Store::Open("sqlite:" + path, 1);
  ASSERT_TRUE(store.ok()) << store.status();
  Database& db = (*store)->database();
  auto exec = [&](const std::string& sql) {
    return db.Write([&](soci::session& s) -> absl::Status {
      s << sql;
      return absl::OkStatus();
    });
  };
  ASSERT_TRUE(exec("CREATE TABLE t (x BLOB)").ok());
  ASSERT_TRUE(exec("INSERT INTO t VALUES (zeroblob(1000))").ok());
  // A disk with no room left: the file may not grow past its current size.
  auto full = db.Write([&](soci::session& s) -> absl::Status {
    int pages = 0;
    s << "PRAGMA page_count", soci::into(pages);
    s << absl::StrCat("PRAGMA max_page_count = ", pages);
    s << "INSERT INTO t VALUES (zeroblob(100000))";
    return absl::OkStatus();
  });
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
  EXPECT_EQ(full.message(), kStoreFull);
  ASSERT_TRUE(StoreErrorDetail(full).has_value());
  EXPECT_TRUE(absl::StrContains(*StoreErrorDetail(full), "full")) << full;

  int rows = -1;
  std::string verdict;
  ASSERT_TRUE(db.Read([&](soci::session& s) -> absl::Status {
                  s << "SELECT count(*) FROM t", soci::into(rows);
                  s << "PRAGMA integrity_check", soci::into(verdict);
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(rows, 1);
  EXPECT_EQ(verdict, "ok");
}

}  // namespace
}  // namespace riskcap::db
