// Tests of the forward-only migrations runner on both backends.
#include "db/internal/migrator.h"

#include <thread>

#include "db/internal/database.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"

namespace riskcap::db {
namespace {

class Migrations : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto scratch = testing::ScratchDatabase::Create(GetParam());
    ASSERT_TRUE(scratch.ok()) << scratch.status();
    scratch_ = std::move(*scratch);
    auto store = Store::Open(scratch_->url(), 2);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    scratch_.reset();
  }
  int LatestKnown() { return MigrationsFor(GetParam()).back().version; }
  void Exec(const std::string& sql) {
    absl::Status st = store_->database().Write([&](soci::session& s) -> absl::Status {
      s << sql;
      return absl::OkStatus();
    });
    ASSERT_TRUE(st.ok()) << st;
  }

  std::unique_ptr<testing::ScratchDatabase> scratch_;
  std::unique_ptr<Store> store_;
};

TEST_P(Migrations, FreshDatabaseIsMigratedToTheLatestVersion) {
  auto before = store_->SchemaVersion();
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(*before, 0);
  auto after = store_->Migrate();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after, LatestKnown());
  EXPECT_TRUE(CheckSchemaCurrent(store_->database()).ok());
}

TEST_P(Migrations, RerunIsANoOp) {
  ASSERT_TRUE(store_->Migrate().ok());
  long long applied_at = 0;
  ASSERT_TRUE(store_->database()
                  .Read([&](soci::session& s) -> absl::Status {
                    s << "SELECT applied_at_us FROM schema_migrations WHERE version = 1",
                        soci::into(applied_at);
                    return absl::OkStatus();
                  })
                  .ok());
  auto again = store_->Migrate();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, LatestKnown());
  long long applied_at_again = 0;
  int count = 0;
  ASSERT_TRUE(store_->database()
                  .Read([&](soci::session& s) -> absl::Status {
                    s << "SELECT applied_at_us FROM schema_migrations WHERE version = 1",
                        soci::into(applied_at_again);
                    s << "SELECT COUNT(*) FROM schema_migrations", soci::into(count);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(applied_at_again, applied_at);
  EXPECT_EQ(count, LatestKnown());
}

TEST_P(Migrations, TamperedChecksumIsRefused) {
  ASSERT_TRUE(store_->Migrate().ok());
  Exec("UPDATE schema_migrations SET checksum = 'deadbeef' WHERE version = 1");
  auto again = store_->Migrate();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("checksum"), absl::string_view::npos) << again.status();
  EXPECT_EQ(CheckSchemaCurrent(store_->database()).code(), absl::StatusCode::kFailedPrecondition);
}

// 0004's comments were reworded after release: a database that applied the earlier text still
// opens, and nothing else about its checksum is relaxed.
TEST_P(Migrations, ACommentOnlyRevisionAcceptsTheEarlierChecksum) {
  ASSERT_TRUE(store_->Migrate().ok());
  const std::string former = GetParam() == Backend::kSqlite
      ? "9d63e3779645339cf250d660b305aeb2170abbde113f3352adf5a5f4eb375296"
      : "b7a0d03984c72f2ed107d16e7570318ca514df8a68ce35c1d20cf15139618bde";
  Exec("UPDATE schema_migrations SET checksum = '" + former + "' WHERE version = 4");
  auto again = store_->Migrate();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(CheckSchemaCurrent(store_->database()).ok());
  Exec("UPDATE schema_migrations SET checksum = '" + former + "' WHERE version = 5");
  EXPECT_EQ(store_->Migrate().status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(Migrations, NewerDatabaseIsRefused) {
  ASSERT_TRUE(store_->Migrate().ok());
  Exec("INSERT INTO schema_migrations (version, name, checksum, applied_at_us) "
       "VALUES (9999, '9999_future.sql', 'x', 0)");
  auto again = store_->Migrate();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("newer"), absl::string_view::npos) << again.status();
}

TEST_P(Migrations, ConcurrentMigratorsApplyEachMigrationOnce) {
  auto other = Store::Open(scratch_->url(), 1);
  ASSERT_TRUE(other.ok()) << other.status();
  absl::StatusOr<int> a, b;
  std::thread t([&] { a = (*other)->Migrate(); });
  b = store_->Migrate();
  t.join();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*a, LatestKnown());
  EXPECT_EQ(*b, LatestKnown());
}

TEST(MigrationFiles, EveryDialectHasTheSameVersions) {
  auto sqlite = MigrationsFor(Backend::kSqlite);
  auto pg = MigrationsFor(Backend::kPostgresql);
  ASSERT_FALSE(sqlite.empty());
  ASSERT_EQ(sqlite.size(), pg.size());
  for (size_t i = 0; i < sqlite.size(); ++i) {
    EXPECT_EQ(sqlite[i].version, static_cast<int>(i + 1)) << sqlite[i].name;
    EXPECT_EQ(sqlite[i].name, pg[i].name);
  }
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(Migrations);

}  // namespace
}  // namespace riskcap::db
