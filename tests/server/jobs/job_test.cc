// Tests of JobContext's findings (server/jobs/job.cc) on both backends: RaiseFindings stores many
// findings a chunk to a transaction, tells watchers only of committed findings, and leaves a
// failing chunk out whole.
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/clock.h"
#include "gtest/gtest.h"
#include "server/jobs/job.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

using server::jobs::JobContext;

constexpr Date kRef(2026, 11, 24);

Finding Numbered(int i) {
  Finding f;
  f.rule = "OVERDUE";
  f.message = absl::StrCat("finding ", i);
  f.dedup_key = absl::StrCat("test:", i);
  return f;
}

class JobContextFindings : public StoreTest {
 protected:
  int64_t StoredFindings() { return QueryInt(store(), "SELECT COUNT(*) FROM findings").value(); }

  FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  rules::RulesConfig rules_;
};

TEST_P(JobContextFindings, ManyFindingsAreStoredOnceAndEachWatcherCallSeesItsFindingCommitted) {
  const int n = static_cast<int>(JobContext::kFindingsPerTransaction) * 2 + 7;  // three chunks
  int told = 0, readable = 0, created = 0;
  JobContext::Hooks hooks;
  hooks.finding_raised = [&](const Finding& f, bool is_new) {
    ++told;
    created += is_new ? 1 : 0;
    // Another thread has its own session: it sees the finding only once it has committed.
    std::thread reader([&] { readable += store().GetFinding(f.id).ok() ? 1 : 0; });
    reader.join();
  };
  JobContext ctx(store(), clock_, rules_, 0, "margin_status", kRef, {}, hooks);
  std::vector<Finding> findings;
  for (int i = 0; i < n; ++i) findings.push_back(Numbered(i));
  ASSERT_TRUE(ctx.RaiseFindings(findings).ok());
  EXPECT_EQ(StoredFindings(), n);
  EXPECT_EQ(told, n);
  EXPECT_EQ(created, n);
  EXPECT_EQ(readable, n);
  auto first = store().GetFinding(1);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->reference_date, kRef);  // stamped as RaiseFinding stamps
  EXPECT_EQ(first->raised_at, clock_.Now());

  // Raised again: found, not duplicated, and reported as not new.
  created = 0;
  ASSERT_TRUE(ctx.RaiseFindings(findings).ok());
  EXPECT_EQ(StoredFindings(), n);
  EXPECT_EQ(created, 0);
}

TEST_P(JobContextFindings, AFailingFindingLeavesItsChunkOutWholeAndKeepsTheChunksBefore) {
  const int chunk = static_cast<int>(JobContext::kFindingsPerTransaction);
  int told = 0;
  JobContext::Hooks hooks;
  hooks.finding_raised = [&](const Finding&, bool) { ++told; };
  JobContext ctx(store(), clock_, rules_, 0, "margin_status", kRef, {}, hooks);
  std::vector<Finding> findings;
  for (int i = 0; i < chunk + 20; ++i) findings.push_back(Numbered(i));
  findings[chunk + 10].fund_id = 424242;  // no such fund: the store refuses it
  const absl::Status raised = ctx.RaiseFindings(findings);
  EXPECT_FALSE(raised.ok());
  EXPECT_NE(raised.message().find("424242"), std::string::npos) << raised;
  EXPECT_EQ(StoredFindings(), chunk);  // the first chunk, none of the second
  EXPECT_EQ(told, chunk);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(JobContextFindings);

}  // namespace
}  // namespace riskcap::testing
