// Shared by the workflow store tests (submissions, findings, job runs): a store fixture that seeds
// managers and funds with raw SQL, so these tests do not depend on the registry methods.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "db/internal/database.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {

inline constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
inline constexpr absl::StatusCode kExists = absl::StatusCode::kAlreadyExists;
inline constexpr absl::StatusCode kNotFound = absl::StatusCode::kNotFound;
inline constexpr absl::StatusCode kPrecondition = absl::StatusCode::kFailedPrecondition;
inline constexpr absl::StatusCode kOk = absl::StatusCode::kOk;

// Odd microseconds catch any rounding to milliseconds or seconds on the way through.
inline const absl::Time kT0 = absl::FromUnixMicros(1'700'000'000'123'457);

class WorkflowStoreTest : public StoreTest {
 protected:
  void SeedManager(long long id) {
    absl::Status st = store().database().Write([&](soci::session& s) -> absl::Status {
      std::string name = absl::StrCat("Gestora ", id), tax = absl::StrCat(10'000'000'000'000 + id);
      s << "INSERT INTO managers (id, name, tax_id, created_at_us) VALUES (:i, :n, :t, 0)",
          soci::use(id), soci::use(name), soci::use(tax);
      return absl::OkStatus();
    });
    ASSERT_TRUE(st.ok()) << st;
  }

  void SeedFund(long long id, long long manager_id) {
    absl::Status st = store().database().Write([&](soci::session& s) -> absl::Status {
      std::string name = absl::StrCat("Fundo ", id), tax = absl::StrCat(20'000'000'000'000 + id);
      s << "INSERT INTO funds (id, name, tax_id, manager_id, regulatory_class, target_audience,"
           " base_currency, active, created_at_us, updated_at_us)"
           " VALUES (:i, :n, :t, :m, 'MULTIMERCADO', 'QUALIFIED', 'BRL', 1, 0, 0)",
          soci::use(id), soci::use(name), soci::use(tax), soci::use(manager_id);
      return absl::OkStatus();
    });
    ASSERT_TRUE(st.ok()) << st;
  }
};

// Manager 1 with funds 101 and 102: where the finding and exemption tests start.
class OneManagerStoreTest : public WorkflowStoreTest {
 protected:
  void SetUp() override {
    WorkflowStoreTest::SetUp();
    SeedManager(1);
    SeedFund(101, 1);
    SeedFund(102, 1);
  }
};

// Pages through `list` `limit` rows at a time and returns the ids in the order seen. Fails the
// test on an error, an id not above the page's after_id, or a page larger than the limit.
template <typename ListFn>
std::vector<int64_t> CollectPages(ListFn list, int limit = 3) {
  std::vector<int64_t> ids;
  db::Page page{.after_id = 0, .limit = limit};
  for (int guard = 0; guard < 100; ++guard) {
    auto rows = list(page);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok() || rows->empty()) break;
    EXPECT_LE(rows->size(), static_cast<size_t>(limit));
    for (const auto& row : *rows) {
      EXPECT_GT(row.id, page.after_id);
      ids.push_back(row.id);
    }
    page.after_id = rows->back().id;
  }
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), ids.size()) << "pages overlap";
  return ids;
}

}  // namespace riskcap::testing
