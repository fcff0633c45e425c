// WriteBatcher (group commit) under concurrent load on both backends: the store holds exactly the
// acknowledged submissions, numbered in the order they were acknowledged, each with its one audit
// record — batches large enough to span several multi-row statements.
#include "server/rpc/write_batcher.h"

#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/test_store.h"

namespace riskcap::server {
namespace {

constexpr int kThreads = 4;
constexpr int kWritesPerThread = 300;  // 1,200 writes: batches of several hundred rows
constexpr char kMethod[] = "MarginService/SubmitMargin";

MarginSubmission Submission(const std::string& key) {
  MarginSubmission m;
  m.fund_id = 101;  // SeedRegistry's active fund
  m.reference_date = Date(2026, 11, 20);
  m.local_margin = Money::FromMicros(1'000'000);
  m.methodology = "VaR";
  m.submitted_at = absl::FromUnixSeconds(1'790'000'000);
  m.submitted_by = "key:1";
  m.idempotency_key = key;
  m.content_hash = absl::StrCat("hash of ", key);
  return m;
}

AuditRecord Audit(const std::string& key) {
  return AuditRecord{0, absl::FromUnixSeconds(1'790'000'000), "key:1", kMethod, key, "OK", ""};
}

// Every acknowledgement, in the order the batcher gave them.
struct Acks {
  std::mutex mu;
  std::vector<std::pair<std::string, absl::StatusOr<int64_t>>> in_order;
  int pending = kThreads * kWritesPerThread;
  absl::Notification all_done;

  void Record(const std::string& key, absl::StatusOr<int64_t> id) {
    std::lock_guard lock(mu);
    in_order.emplace_back(key, std::move(id));
    if (--pending == 0) all_done.Notify();
  }
};

// Every tenth key of a thread repeats its previous one: acknowledged AlreadyExists, stored once.
std::string KeyOf(int thread, int i) {
  return absl::StrCat("t", thread, "-", i % 10 == 9 ? i - 1 : i);
}

class WriteBatcherTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    testing::SeedRegistry(store());
  }

  // (id, key) of every stored submission and request_id of every SubmitMargin audit record,
  // each in id order.
  void ReadBack(std::vector<std::pair<long long, std::string>>& submissions,
                std::vector<std::string>& audit) {
    auto subs =
        testing::QuerySql(store(), "SELECT id, idempotency_key FROM margin_submissions ORDER BY id");
    ASSERT_TRUE(subs.ok()) << subs.status();
    for (const auto& row : subs->rows) submissions.emplace_back(std::stoll(row.at(0)), row.at(1));
    auto records = testing::QuerySql(
        store(), absl::StrCat("SELECT request_id FROM audit_log WHERE method = '", kMethod,
                              "' ORDER BY id"));
    ASSERT_TRUE(records.ok()) << records.status();
    for (const auto& row : records->rows) audit.push_back(row.at(0));
  }
};

TEST_P(WriteBatcherTest, StoresExactlyTheAcknowledgedRowsInOrderWithOneAuditRecordEach) {
  Acks acks;
  {
    WriteBatcher batcher(store(), /*max_batch=*/512, /*max_queued=*/kThreads * kWritesPerThread);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kWritesPerThread; ++i) {
          std::string key = KeyOf(t, i);
          absl::Status queued = batcher.InsertSubmissionAsync(
              Submission(key), Audit(key),
              [&acks, key](absl::StatusOr<int64_t> id) { acks.Record(key, std::move(id)); });
          if (!queued.ok()) acks.Record(key, queued);  // fails the test: not AlreadyExists
        }
      });
    }
    for (std::thread& t : threads) t.join();
    acks.all_done.WaitForNotification();
  }

  // Acknowledged ids increase in acknowledgement order; duplicates are AlreadyExists.
  std::vector<std::pair<long long, std::string>> expected;
  for (const auto& [key, id] : acks.in_order) {
    if (!id.ok()) {
      EXPECT_EQ(id.status().code(), absl::StatusCode::kAlreadyExists) << key << ": " << id.status();
      continue;
    }
    if (!expected.empty()) {
      EXPECT_GT(*id, expected.back().first) << key;
    }
    expected.emplace_back(*id, key);
  }
  EXPECT_EQ(expected.size(), static_cast<size_t>(kThreads * kWritesPerThread * 9 / 10));

  std::vector<std::pair<long long, std::string>> stored;
  std::vector<std::string> audit;
  ReadBack(stored, audit);
  EXPECT_EQ(stored, expected);  // exactly the acknowledged rows, same ids, same order
  std::vector<std::string> expected_audit;
  for (const auto& row : expected) expected_audit.push_back(row.second);
  EXPECT_EQ(audit, expected_audit);  // one record per stored submission, in submission order
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(WriteBatcherTest);

}  // namespace
}  // namespace riskcap::server
