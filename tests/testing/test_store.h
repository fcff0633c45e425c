// Test support: fresh stores on SQLite and on the real PostgreSQL server that scripts/test starts
// (RISKCAP_TEST_PG_URL). PostgreSQL tests fail, never skip, when that server is not configured.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "db/store.h"
#include "gtest/gtest.h"

namespace riskcap::testing {

// An empty database of its own (a temporary SQLite file, or a fresh PostgreSQL schema), removed
// when destroyed.
class ScratchDatabase {
 public:
  static absl::StatusOr<std::unique_ptr<ScratchDatabase>> Create(db::Backend backend);
  ~ScratchDatabase();
  const std::string& url() const { return url_; }
  db::Backend backend() const { return backend_; }

 private:
  ScratchDatabase(db::Backend backend, std::string url, std::string cleanup)
      : backend_(backend), url_(std::move(url)), cleanup_(std::move(cleanup)) {}
  db::Backend backend_;
  std::string url_;
  std::string cleanup_;  // SQLite: file path; PostgreSQL: schema name
};

// "sqlite" / "postgresql", for parameterised test names.
std::string BackendTestName(const ::testing::TestParamInfo<db::Backend>& info);

// A test with a fresh, migrated store for its backend parameter.
class StoreTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;
  db::Store& store() { return *store_; }

  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<db::Store> store_;
};

#define RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(Suite)                                     \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                             \
                           ::testing::Values(::riskcap::db::Backend::kSqlite,           \
                                             ::riskcap::db::Backend::kPostgresql),      \
                           ::riskcap::testing::BackendTestName)

}  // namespace riskcap::testing
