// Tests of the request log (db/store_requests.cc) on SQLite and PostgreSQL: a change is applied
// once per request key, in one transaction with its log row.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/sha256.h"
#include "db/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"

namespace riskcap::db {
namespace {

using ::riskcap::testing::StoreTest;
using ::testing::HasSubstr;

RequestKey Key(const std::string& request_id, const std::string& content,
               const std::string& scope = "k1") {
  return RequestKey{"FundService/CreateManager", scope, request_id, Sha256Hex(content)};
}

Manager NewManager(int n) {
  Manager m;
  m.name = absl::StrCat("Gestora ", n);
  m.tax_id = absl::StrCat(10'000'000'000'000 + n);
  return m;
}

class RequestLogTest : public StoreTest {
 protected:
  // Creates manager `n` under `key` through `via` (default: store()), counting how often the
  // change really runs.
  absl::StatusOr<RequestOutcome> CreateOnce(const RequestKey& key, int n, Store* via = nullptr) {
    Store& s = via != nullptr ? *via : store();
    return RunIdempotent(s, key, [&, n]() -> absl::StatusOr<int64_t> {
      ++applied_;
      ASSIGN_OR_RETURN(Manager m, s.CreateManager(NewManager(n)));
      return m.id;
    });
  }

  size_t ManagerCount() {
    auto all = store().ListManagers({0, 1000});
    EXPECT_TRUE(all.ok()) << all.status();
    return all.ok() ? all->size() : 0;
  }

  std::atomic<int> applied_{0};
};

TEST_P(RequestLogTest, FirstCallAppliesTheChange) {
  auto first = CreateOnce(Key("r-1", "manager 1"), 1);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->replayed);
  auto stored = store().GetManager(first->resource_id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->name, "Gestora 1");
  EXPECT_EQ(applied_, 1);
}

TEST_P(RequestLogTest, SameKeyAndContentReplaysWithoutApplyingAgain) {
  auto first = CreateOnce(Key("r-1", "manager 1"), 1);
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = CreateOnce(Key("r-1", "manager 1"), 1);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->resource_id, first->resource_id);
  EXPECT_EQ(applied_, 1);
  EXPECT_EQ(ManagerCount(), 1u);
}

TEST_P(RequestLogTest, SameKeyWithOtherContentIsAlreadyExists) {
  ASSERT_TRUE(CreateOnce(Key("r-1", "manager 1"), 1).ok());
  auto other = CreateOnce(Key("r-1", "manager 2"), 2);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(other.status().message()), HasSubstr("request_id 'r-1'"));
  EXPECT_EQ(applied_, 1);
  EXPECT_EQ(ManagerCount(), 1u);
}

TEST_P(RequestLogTest, KeysBelongToOneMethodAndScope) {
  ASSERT_TRUE(CreateOnce(Key("r-1", "manager 1"), 1).ok());
  auto other_scope = CreateOnce(Key("r-1", "manager 1", "k2"), 2);
  ASSERT_TRUE(other_scope.ok()) << other_scope.status();
  EXPECT_FALSE(other_scope->replayed);
  RequestKey other_method = Key("r-1", "manager 1");
  other_method.method = "FundService/UpdateManager";
  auto applied = CreateOnce(other_method, 3);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_FALSE(applied->replayed);
  EXPECT_EQ(ManagerCount(), 3u);
}

TEST_P(RequestLogTest, IncompleteKeyIsInvalid) {
  RequestKey key = Key("r-1", "manager 1");
  key.scope.clear();
  EXPECT_EQ(CreateOnce(key, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(applied_, 0);
}

TEST_P(RequestLogTest, FailedChangeRollsBackAndLeavesTheKeyUnused) {
  auto failed = RunIdempotent(store(), Key("r-1", "bad"), [&]() -> absl::StatusOr<int64_t> {
    RETURN_IF_ERROR(store().CreateManager(NewManager(1)).status());
    return absl::FailedPreconditionError("refused after writing");
  });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ManagerCount(), 0u);  // the write inside the failed change is gone too
  auto retried = CreateOnce(Key("r-1", "corrected"), 1);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_FALSE(retried->replayed);
  EXPECT_EQ(ManagerCount(), 1u);
}

TEST_P(RequestLogTest, ConstraintViolationLeavesTheKeyUnused) {
  ASSERT_TRUE(store().CreateManager(NewManager(1)).ok());
  auto duplicate = CreateOnce(Key("r-1", "duplicate tax id"), 1);
  EXPECT_EQ(duplicate.status().code(), absl::StatusCode::kAlreadyExists);
  auto retried = CreateOnce(Key("r-1", "fresh tax id"), 2);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_FALSE(retried->replayed);
  EXPECT_EQ(ManagerCount(), 2u);
}

TEST_P(RequestLogTest, IgnoredStoreFailureStillRollsBack) {
  ASSERT_TRUE(store().CreateManager(NewManager(1)).ok());
  auto sloppy = RunIdempotent(store(), Key("r-1", "sloppy"), [&]() -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(Manager created, store().CreateManager(NewManager(2)));
    (void)store().CreateManager(NewManager(1));  // a duplicate tax id: fails, and is ignored
    return created.id;
  });
  EXPECT_EQ(sloppy.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ManagerCount(), 1u);
  auto retried = CreateOnce(Key("r-1", "careful"), 3);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_FALSE(retried->replayed);
}

// Half the calls go through a second store on the same database, as from another riskcapd.
TEST_P(RequestLogTest, ConcurrentIdenticalRequestsApplyOnce) {
  auto replica = Store::Open(scratch_->url(), 4);
  ASSERT_TRUE(replica.ok()) << replica.status();
  constexpr int kThreads = 8;
  std::vector<absl::StatusOr<RequestOutcome>> outcomes(kThreads, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    Store* via = i % 2 == 0 ? &store() : replica->get();
    threads.emplace_back(
        [&, i, via] { outcomes[i] = CreateOnce(Key("r-1", "manager 1"), 1, via); });
  }
  for (std::thread& t : threads) t.join();
  int fresh = 0;
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    EXPECT_EQ(outcome->resource_id, outcomes[0]->resource_id);
    fresh += outcome->replayed ? 0 : 1;
  }
  EXPECT_EQ(fresh, 1);
  EXPECT_EQ(applied_, 1);
  EXPECT_EQ(ManagerCount(), 1u);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(RequestLogTest);

}  // namespace
}  // namespace riskcap::db
