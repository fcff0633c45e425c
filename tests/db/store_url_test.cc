// Store URL parsing.
#include "db/store_url.h"

#include "gtest/gtest.h"

namespace riskcap::db {
namespace {

TEST(StoreUrl, ParsesSqliteFileAndMemory) {
  auto file = ParseStoreUrl("sqlite:data/riskcap.db");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->backend, Backend::kSqlite);
  EXPECT_EQ(file->target, "data/riskcap.db");
  EXPECT_FALSE(file->in_memory());
  auto mem = ParseStoreUrl("sqlite::memory:");
  ASSERT_TRUE(mem.ok());
  EXPECT_TRUE(mem->in_memory());
}

TEST(StoreUrl, ParsesPostgresqlAndRedactsPassword) {
  auto url = ParseStoreUrl("postgresql://risk:s3cret@db.internal:5432/riskcap");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->backend, Backend::kPostgresql);
  EXPECT_EQ(url->target, "postgresql://risk:s3cret@db.internal:5432/riskcap");
  EXPECT_EQ(url->redacted, "postgresql://risk:***@db.internal:5432/riskcap");
}

TEST(StoreUrl, RejectsUnknownSchemesWithoutEchoingPasswords) {
  for (const char* bad : {"", "sqlite:", "mysql://u:pw@h/db", "riskcap.db"}) {
    auto url = ParseStoreUrl(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(url.status().message().find("pw@"), absl::string_view::npos);
  }
}

}  // namespace
}  // namespace riskcap::db
