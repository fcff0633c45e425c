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

TEST(StoreUrl, ParsedUrlsCarryTheirRedactedForm) {
  auto query = ParseStoreUrl("postgresql://risk@db:5432/riskcap?password=s3cret&sslmode=require");
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->redacted, "postgresql://risk@db:5432/riskcap?password=***&sslmode=require");
  EXPECT_EQ(query->target, "postgresql://risk@db:5432/riskcap?password=s3cret&sslmode=require");
}

TEST(StoreUrl, UnsupportedUrlErrorsNeverQuoteAPassword) {
  for (const char* bad : {"host=db user=risk password=s3cret dbname=riskcap",
                          "mysql://u:s3cret@h/db", "mysql://u@h/db?password=s3cret"}) {
    auto url = ParseStoreUrl(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.status().message().find("s3cret"), absl::string_view::npos) << url.status();
  }
}

struct RedactCase {
  const char* text;
  const char* redacted;
};

TEST(RedactStoreUrl, ReplacesEveryFormOfPassword) {
  const RedactCase cases[] = {
      {"postgresql://risk:s3cret@db.internal:5432/riskcap",
       "postgresql://risk:***@db.internal:5432/riskcap"},
      {"postgres://risk:p%40ss@db/riskcap", "postgres://risk:***@db/riskcap"},
      {"postgresql://risk:p@ss@db/riskcap", "postgresql://risk:***@db/riskcap"},
      {"postgresql://risk@db/riskcap?password=s3cret", "postgresql://risk@db/riskcap?password=***"},
      {"postgresql://db/riskcap?user=r&password=s3cret&sslmode=require",
       "postgresql://db/riskcap?user=r&password=***&sslmode=require"},
      {"postgresql://db/riskcap?pass%77ord=s3cret", "postgresql://db/riskcap?pass%77ord=***"},
      {"postgresql://db/riskcap?sslpassword=s3cret", "postgresql://db/riskcap?sslpassword=***"},
      {"host=db user=risk password=s3cret dbname=riskcap",
       "host=db user=risk password=*** dbname=riskcap"},
      {"host=db password = 's3 c\\'ret' dbname=riskcap", "host=db password = '***' dbname=riskcap"},
      {"PASSWORD=s3cret", "PASSWORD=***"},
      {"target sqlite:/backups/nightly.db failed; retry postgresql://u:s3cret@h/d now",
       "target sqlite:/backups/nightly.db failed; retry postgresql://u:***@h/d now"},
  };
  for (const RedactCase& c : cases) {
    EXPECT_EQ(RedactStoreUrl(c.text), c.redacted) << c.text;
    EXPECT_EQ(RedactStoreUrl(RedactStoreUrl(c.text)), c.redacted) << "idempotent: " << c.text;
  }
}

TEST(RedactStoreUrl, LeavesTextWithoutAPasswordAlone) {
  for (const char* text : {"", "sqlite:/var/lib/riskcap/riskcap.db", "sqlite::memory:",
                           "postgresql://risk@db.internal:5432/riskcap?sslmode=require",
                           "postgresql://db/riskcap?options=-csearch_path%3Dt_1",
                           "host=db user=risk dbname=riskcap", "nightly-2024-03-28.db",
                           "user@example.com: a=b"}) {
    EXPECT_EQ(RedactStoreUrl(text), text);
  }
}

}  // namespace
}  // namespace riskcap::db
