// Upstream faults from the simulator, on both backends: slow responses and 500s are retried then
// fail cleanly; empty and partial feeds are quarantined with a finding; truncated JSON is
// rejected; an unauthorised fetch is not retried. In every case the current version stays.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/jobs/margin_ingest_job.h"
#include "server/jobs/nav_snapshot_job.h"
#include "server/jobs/positions_job.h"
#include "server/jobs/swaps_job.h"
#include "tests/testing/feed_test_support.h"
#include "tests/testing/test_store.h"

namespace riskcap::server::jobs {
namespace {

using ::riskcap::testing::JobHarness;
using ::riskcap::testing::TestSource;
using ::riskcap::testing::UpstreamSim;
using sources::FeedLimits;

const Date kDay(2026, 11, 20);

class FeedFaultsTest : public ::riskcap::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    auto sim = UpstreamSim::Start({"--seed", "11", "--funds", "20", "--token", "s3cret"});
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = std::move(*sim);
    harness_ = std::make_unique<JobHarness>(store());
    source_ = TestSource(sim_->url());
    source_.http.bearer_token = "s3cret";
    // A good load first: what every fault below must leave current.
    for (auto* make : {&MakeNavSnapshotJob, &MakePositionsJob, &MakeSwapsJob}) {
      auto out = harness_->Run(*(*make)(source_), kDay);
      ASSERT_TRUE(out.ok()) << out.status();
    }
    nav_ = Current(SnapshotKind::kNavSnapshot);
    positions_ = Current(SnapshotKind::kPositions);
  }

  int64_t Current(SnapshotKind kind) {
    auto v = store().GetSnapshotVersion(kind, kDay, std::nullopt);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? v->id : -1;
  }

  void ExpectNothingReplaced() {
    EXPECT_EQ(Current(SnapshotKind::kNavSnapshot), nav_);
    EXPECT_EQ(Current(SnapshotKind::kPositions), positions_);
  }

  std::vector<Finding> Quarantines() {
    db::FindingFilter filter;
    filter.rule = "QUARANTINED_FEED";
    auto found = store().ListFindings(filter, db::Page{0, 100});
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *found : std::vector<Finding>{};
  }

  std::unique_ptr<UpstreamSim> sim_;
  std::unique_ptr<JobHarness> harness_;
  sources::SourceConfig source_;
  int64_t nav_ = 0, positions_ = 0;
};

TEST_P(FeedFaultsTest, ServerErrorsAreRetriedThenFailCleanly) {
  ASSERT_TRUE(sim_->SetFault("/v1/positions", "error500").ok());
  auto out = harness_->Run(*MakePositionsJob(source_), kDay);
  EXPECT_TRUE(absl::IsUnavailable(out.status())) << out.status();
  EXPECT_TRUE(absl::StrContains(out.status().message(), "after 3 attempt(s)")) << out.status();
  EXPECT_EQ(*sim_->Hits("/v1/positions"), 1 + 3);  // the setup load, then 1 + 2 retries
  ExpectNothingReplaced();
}

TEST_P(FeedFaultsTest, OneServerErrorIsRetriedAndTheLoadSucceeds) {
  ASSERT_TRUE(sim_->SetFault("/v1/nav_snapshot", "error500", 1).ok());
  auto out = harness_->Run(*MakeNavSnapshotJob(source_), kDay);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->rows_written, 0);  // same content as the current version
  EXPECT_EQ(*sim_->Hits("/v1/nav_snapshot"), 1 + 2);
}

TEST_P(FeedFaultsTest, SlowResponsesPastTheTimeoutAreRetriedThenFail) {
  source_.http.timeout = absl::Milliseconds(300);
  source_.http.retries = 1;
  ASSERT_TRUE(sim_->SetFault("/v1/swaps", "slow", -1, 1.5).ok());
  auto out = harness_->Run(*MakeSwapsJob(source_), kDay);
  EXPECT_TRUE(absl::IsDeadlineExceeded(out.status())) << out.status();
  EXPECT_TRUE(absl::StrContains(out.status().message(), "after 2 attempt(s)")) << out.status();
  ExpectNothingReplaced();
}

TEST_P(FeedFaultsTest, ClientErrorsAreNotRetried) {
  source_.http.bearer_token = "wrong";
  auto out = harness_->Run(*MakePositionsJob(source_), kDay);
  EXPECT_TRUE(absl::IsPermissionDenied(out.status())) << out.status();
  EXPECT_TRUE(absl::StrContains(out.status().message(), "after 1 attempt(s)")) << out.status();
  ExpectNothingReplaced();
}

TEST_P(FeedFaultsTest, EmptyFeedIsQuarantinedOnceWithAFinding) {
  ASSERT_TRUE(sim_->SetFault("/v1/positions", "empty").ok());
  for (int run = 0; run < 2; ++run) {
    auto out = harness_->Run(*MakePositionsJob(source_), kDay);
    EXPECT_TRUE(absl::IsFailedPrecondition(out.status())) << out.status();
    EXPECT_TRUE(absl::StrContains(out.status().message(), "quarantined")) << out.status();
  }
  std::vector<Finding> findings = Quarantines();
  ASSERT_EQ(findings.size(), 1u) << "a re-run must not duplicate the open finding";
  EXPECT_EQ(findings[0].dedup_key, "QUARANTINED_FEED|positions|2026-11-20|EMPTY");
  EXPECT_TRUE(absl::StrContains(findings[0].message, "returned no rows")) << findings[0].message;
  ExpectNothingReplaced();
}

TEST_P(FeedFaultsTest, EmptySwapFeedIsQuarantined) {
  ASSERT_TRUE(sim_->SetFault("/v1/swaps", "empty").ok());
  auto out = harness_->Run(*MakeSwapsJob(source_), kDay);
  EXPECT_TRUE(absl::IsFailedPrecondition(out.status())) << out.status();
  ASSERT_EQ(Quarantines().size(), 1u);
  ExpectNothingReplaced();
}

TEST_P(FeedFaultsTest, PartialFeedsAreQuarantined) {
  ASSERT_TRUE(sim_->SetFault("/v1/positions", "partial").ok());
  auto positions = harness_->Run(*MakePositionsJob(source_), kDay);
  EXPECT_TRUE(absl::IsFailedPrecondition(positions.status())) << positions.status();
  ASSERT_TRUE(sim_->SetFault("/v1/nav_snapshot", "partial").ok());
  auto nav = harness_->Run(*MakeNavSnapshotJob(source_), kDay);
  EXPECT_TRUE(absl::IsFailedPrecondition(nav.status())) << nav.status();
  std::vector<Finding> findings = Quarantines();
  ASSERT_EQ(findings.size(), 2u);
  for (const Finding& f : findings) {
    EXPECT_TRUE(absl::StrContains(f.dedup_key, "PARTIAL") ||
                absl::StrContains(f.dedup_key, "SUBFEED_EMPTY"))
        << f.dedup_key;
  }
  ExpectNothingReplaced();
}

TEST_P(FeedFaultsTest, TruncatedJsonIsRejected) {
  ASSERT_TRUE(sim_->SetFault("/v1/nav_snapshot", "truncated").ok());
  auto out = harness_->Run(*MakeNavSnapshotJob(source_), kDay);
  EXPECT_TRUE(absl::IsInvalidArgument(out.status())) << out.status();
  EXPECT_TRUE(absl::StrContains(out.status().message(), "not valid JSON")) << out.status();
  ASSERT_TRUE(sim_->SetFault("/v1/margin_reports", "truncated").ok());
  auto margin = harness_->Run(*MakeMarginIngestJob(source_), kDay);
  EXPECT_TRUE(absl::IsInvalidArgument(margin.status())) << margin.status();
  auto subs = store().ListSubmissions({}, db::Page{0, 10});
  ASSERT_TRUE(subs.ok());
  EXPECT_TRUE(subs->empty());
  ExpectNothingReplaced();
}

TEST_P(FeedFaultsTest, BodyAnnouncedOverTheLimitIsQuarantinedUnreadAndNotRetried) {
  ASSERT_TRUE(sim_->SetFault("/v1/nav_snapshot", "oversize").ok());
  auto out = harness_->Run(*MakeNavSnapshotJob(source_), kDay);
  EXPECT_TRUE(absl::IsFailedPrecondition(out.status())) << out.status();
  EXPECT_TRUE(absl::StrContains(out.status().message(),
                                "quarantined feed (TOO_LARGE): upstream response announces "
                                "1000000000 bytes, more than the limit of 268435456"))
      << out.status();
  EXPECT_EQ(*sim_->Hits("/v1/nav_snapshot"), 1 + 1);
  std::vector<Finding> findings = Quarantines();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].dedup_key, "QUARANTINED_FEED|nav_snapshot|2026-11-20|TOO_LARGE");
  ExpectNothingReplaced();
}

TEST_P(FeedFaultsTest, BodyWithoutALengthIsCutAtTheLimit) {
  source_.limits.max_bytes = 2048;  // the simulator's positions are larger than this
  ASSERT_TRUE(sim_->SetFault("/v1/positions", "unsized").ok());
  auto out = harness_->Run(*MakePositionsJob(source_), kDay);
  EXPECT_TRUE(absl::IsFailedPrecondition(out.status())) << out.status();
  EXPECT_TRUE(absl::StrContains(out.status().message(),
                                "upstream response sends more bytes, more than the limit of 2048"))
      << out.status();
  ASSERT_EQ(Quarantines().size(), 1u);
  ExpectNothingReplaced();
  // The same body, within the limit, is read to its end although it announces no length.
  source_.limits.max_bytes = FeedLimits().max_bytes;
  auto whole = harness_->Run(*MakePositionsJob(source_), kDay);
  EXPECT_TRUE(whole.ok()) << whole.status();
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(FeedFaultsTest);

}  // namespace
}  // namespace riskcap::server::jobs
