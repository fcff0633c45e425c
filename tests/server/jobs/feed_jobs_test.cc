// The data jobs on sample data from the simulated upstream, on both backends: each job loads,
// a re-run with the same inputs is a no-op (same hash, no new version or rows), and changed
// inputs (another revision) give a new version while the old one stays readable.
#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/jobs/exposure_snapshot_job.h"
#include "server/jobs/margin_ingest_job.h"
#include "server/jobs/nav_history_job.h"
#include "server/jobs/nav_snapshot_job.h"
#include "server/jobs/positions_batch.h"
#include "server/jobs/positions_job.h"
#include "server/jobs/swaps_job.h"
#include "tests/testing/feed_test_support.h"
#include "tests/testing/test_store.h"

namespace riskcap::server::jobs {
namespace {

using ::riskcap::testing::JobHarness;
using ::riskcap::testing::TestSource;
using ::riskcap::testing::UpstreamSim;

constexpr int kFunds = 20;
const Date kDay(2026, 11, 20);

class FeedJobsTest : public ::riskcap::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    auto sim = UpstreamSim::Start({"--seed", "7", "--funds", std::to_string(kFunds)});
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = std::move(*sim);
    harness_ = std::make_unique<JobHarness>(store());
    source_ = TestSource(sim_->url());
  }

  JobOutput MustRun(Job& job, std::map<std::string, std::string> params = {}) {
    auto out = harness_->Run(job, kDay, std::move(params));
    EXPECT_TRUE(out.ok()) << job.name() << ": " << out.status();
    return out.ok() ? *out : JobOutput{};
  }

  // Loads the registry, NAV snapshot and the whole positions batch.
  void LoadBatch() {
    MustRun(*MakeNavSnapshotJob(source_));
    MustRun(*MakePositionsJob(source_));
    MustRun(*MakeSwapsJob(source_));
  }

  std::unique_ptr<UpstreamSim> sim_;
  std::unique_ptr<JobHarness> harness_;
  sources::SourceConfig source_;
};

TEST_P(FeedJobsTest, NavSnapshotFillsAnEmptyRegistryAndReRunsAsANoOp) {
  auto job = MakeNavSnapshotJob(source_);
  JobOutput first = MustRun(*job);
  auto funds = store().ListFunds(std::nullopt, db::Page{0, 1000});
  ASSERT_TRUE(funds.ok());
  EXPECT_EQ(funds->size(), static_cast<size_t>(kFunds));
  EXPECT_EQ(first.rows_written, kFunds);
  ASSERT_TRUE(first.output_version_id);
  EXPECT_EQ(first.content_hash.size(), 64u);

  JobOutput again = MustRun(*job);
  EXPECT_EQ(again.rows_written, 0);
  EXPECT_EQ(again.content_hash, first.content_hash);
  EXPECT_EQ(again.output_version_id, first.output_version_id);
  auto versions = store().ListSnapshotVersions(SnapshotKind::kNavSnapshot, kDay);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 1u);

  ASSERT_TRUE(sim_->SetRevision(1).ok());
  JobOutput changed = MustRun(*job);
  EXPECT_NE(changed.content_hash, first.content_hash);
  EXPECT_EQ(changed.rows_written, kFunds);
  EXPECT_NE(changed.output_version_id, first.output_version_id);
  auto old_rows = store().ListNavSnapshots(*first.output_version_id);
  auto new_rows = store().ListNavSnapshots(*changed.output_version_id);
  ASSERT_TRUE(old_rows.ok() && new_rows.ok());
  EXPECT_EQ(old_rows->size(), static_cast<size_t>(kFunds));
  EXPECT_NE(*old_rows, *new_rows);
  auto current = store().GetSnapshotVersion(SnapshotKind::kNavSnapshot, kDay, std::nullopt);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->id, *changed.output_version_id);
}

TEST_P(FeedJobsTest, NavHistoryBackfillsARangeIntoOneVersion) {
  MustRun(*MakeNavSnapshotJob(source_));
  auto job = MakeNavHistoryJob(source_);
  std::map<std::string, std::string> range = {{"from", "2026-11-18"}, {"to", "2026-11-20"}};
  JobOutput first = MustRun(*job, range);
  EXPECT_EQ(first.rows_written, 3 * kFunds);
  auto history = store().ListNavHistory(1000, Date(2026, 11, 18), kDay, std::nullopt);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 3u);

  JobOutput again = MustRun(*job, range);
  EXPECT_EQ(again.rows_written, 0);
  EXPECT_EQ(again.content_hash, first.content_hash);

  ASSERT_TRUE(sim_->SetRevision(2).ok());
  JobOutput changed = MustRun(*job, range);
  EXPECT_EQ(changed.rows_written, 3 * kFunds);
  auto old_history = store().ListNavHistory(1000, Date(2026, 11, 18), kDay,
                                            first.output_version_id);
  ASSERT_TRUE(old_history.ok());
  EXPECT_EQ(*old_history, *history);

  auto bad = harness_->Run(*job, kDay, {{"from", "2026-11-21"}});
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
}

TEST_P(FeedJobsTest, PositionsAndSwapsBuildOneBatchThatExposureReads) {
  MustRun(*MakeNavSnapshotJob(source_));
  auto exposure = MakeExposureSnapshotJob();
  JobOutput positions = MustRun(*MakePositionsJob(source_));
  auto pending = harness_->Run(*exposure, kDay);
  EXPECT_TRUE(absl::IsFailedPrecondition(pending.status())) << pending.status();

  JobOutput swaps = MustRun(*MakeSwapsJob(source_));
  ASSERT_TRUE(swaps.output_version_id);
  auto batch = ReadAllPositions(store(), *swaps.output_version_id);
  ASSERT_TRUE(batch.ok());
  int64_t swap_rows = 0;
  for (const Position& p : *batch) swap_rows += p.classification == PositionClassification::kOtcSwap;
  EXPECT_EQ(swap_rows, swaps.rows_read);
  EXPECT_EQ(static_cast<int64_t>(batch->size()), positions.rows_read + swaps.rows_read);

  JobOutput first = MustRun(*exposure);
  EXPECT_GT(first.rows_written, 0);
  auto rows = store().ListExposures(*first.output_version_id);
  ASSERT_TRUE(rows.ok());
  bool any_otc = false, any_offshore = false;
  for (const FundExposure& e : *rows) {
    any_otc |= e.otc_swap_count > 0;
    any_offshore |= e.offshore;
    // The NAV-relative measures, from the NAV snapshot of the same date, survive the store.
    auto nav = store().GetNavSnapshot(e.fund_id, kDay, std::nullopt);
    ASSERT_TRUE(nav.ok()) << nav.status();
    ASSERT_TRUE(e.nav && e.offshore_share_of_nav && e.largest_position_share_of_nav);
    EXPECT_EQ(*e.nav, nav->nav);
    EXPECT_DOUBLE_EQ(*e.offshore_share_of_nav,
                     e.offshore_market_value.ToDouble() / nav->nav.ToDouble());
    EXPECT_DOUBLE_EQ(*e.largest_position_share_of_nav,
                     e.largest_position_value.ToDouble() / nav->nav.ToDouble());
  }
  EXPECT_TRUE(any_otc && any_offshore);

  // Re-running every job with the same inputs writes nothing.
  EXPECT_EQ(MustRun(*MakePositionsJob(source_)).rows_written, 0);
  EXPECT_EQ(MustRun(*MakeSwapsJob(source_)).rows_written, 0);
  JobOutput again = MustRun(*exposure);
  EXPECT_EQ(again.rows_written, 0);
  EXPECT_EQ(again.content_hash, first.content_hash);
  auto versions = store().ListSnapshotVersions(SnapshotKind::kPositions, kDay);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 2u);  // positions (swaps pending), then the complete batch

  ASSERT_TRUE(sim_->SetRevision(1).ok());
  JobOutput changed_positions = MustRun(*MakePositionsJob(source_));
  EXPECT_GT(changed_positions.rows_written, 0);
  JobOutput changed = MustRun(*exposure);
  EXPECT_NE(changed.content_hash, first.content_hash);
  auto old_rows = store().ListExposures(*first.output_version_id);
  ASSERT_TRUE(old_rows.ok());
  EXPECT_EQ(*old_rows, *rows);
}

TEST_P(FeedJobsTest, MarginIngestStoresEachUpstreamReportOnce) {
  MustRun(*MakeNavSnapshotJob(source_));
  auto job = MakeMarginIngestJob(source_);
  JobOutput first = MustRun(*job);
  EXPECT_GT(first.rows_written, 0);
  EXPECT_EQ(first.rows_written, first.rows_read);
  db::SubmissionFilter day;
  day.from_date = day.to_date = kDay;
  auto subs = store().ListSubmissions(day, db::Page{0, 1000});
  ASSERT_TRUE(subs.ok());
  EXPECT_EQ(static_cast<int64_t>(subs->size()), first.rows_written);
  EXPECT_TRUE(absl::StartsWith(subs->front().idempotency_key, "upstream/sim-"));

  JobOutput again = MustRun(*job);
  EXPECT_EQ(again.rows_written, 0);
  EXPECT_EQ(again.content_hash, first.content_hash);
  auto same = store().ListSubmissions(day, db::Page{0, 1000});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->size(), subs->size());

  ASSERT_TRUE(sim_->SetRevision(1).ok());  // new reports (new ids) supersede, never erase
  JobOutput changed = MustRun(*job);
  EXPECT_EQ(changed.rows_written, first.rows_written);
  EXPECT_NE(changed.content_hash, first.content_hash);
  auto all = store().ListSubmissions(day, db::Page{0, 1000});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2 * subs->size());
}

// The feed's asset type descriptions fill the dimension table that positions are read with.
TEST_P(FeedJobsTest, PositionsFeedFillsTheAssetTypeDescriptions) {
  LoadBatch();
  auto types = store().ListAssetTypes();
  ASSERT_TRUE(types.ok()) << types.status();
  std::map<std::string, std::string> by_code;
  for (const AssetType& t : *types) by_code[t.code] = t.description;
  EXPECT_EQ(by_code["TPF"], "Título público federal");
  EXPECT_EQ(by_code["SWAP"], "Swap de balcão (OTC)");  // from the swaps feed
  EXPECT_FALSE(by_code["OPC_BALCAO"].empty());
}

// NAVs are struck on business days: a range over a weekend loads Friday and Monday only.
TEST_P(FeedJobsTest, NavHistoryBackfillSkipsWeekends) {
  MustRun(*MakeNavSnapshotJob(source_));
  std::map<std::string, std::string> range = {{"from", "2026-11-13"}, {"to", "2026-11-17"}};
  JobOutput out = MustRun(*MakeNavHistoryJob(source_), range);
  EXPECT_EQ(out.rows_written, 3 * kFunds);  // Fri 13, Mon 16, Tue 17
  auto history = store().ListNavHistory(1000, Date(2026, 11, 13), Date(2026, 11, 17),
                                        std::nullopt);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[1].nav_date, Date(2026, 11, 16));
  // The walk is continuous: each opening is the previous business day's close.
  EXPECT_EQ((*history)[1].opening_nav, (*history)[0].closing_nav);
  EXPECT_EQ((*history)[2].opening_nav, (*history)[1].closing_nav);
}

// A backfill ingests the reports of every date of the range, each under its own date; managers
// report on their schedules, so the range has more reports than its last day.
TEST_P(FeedJobsTest, MarginIngestBackfillsARange) {
  MustRun(*MakeNavSnapshotJob(source_));
  auto job = MakeMarginIngestJob(source_);
  std::map<std::string, std::string> range = {{"from", "2026-10-21"}, {"to", "2026-11-20"}};
  JobOutput out = MustRun(*job, range);
  db::SubmissionFilter last_day;
  last_day.from_date = last_day.to_date = kDay;
  auto on_last_day = store().ListSubmissions(last_day, db::Page{0, 1000});
  ASSERT_TRUE(on_last_day.ok());
  EXPECT_GT(out.rows_written, static_cast<int64_t>(on_last_day->size()));
  db::SubmissionFilter all;
  auto stored = store().ListSubmissions(all, db::Page{0, 1000});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(static_cast<int64_t>(stored->size()), out.rows_written);
  for (const MarginSubmission& s : *stored) {
    EXPECT_TRUE(absl::EndsWith(s.idempotency_key, FormatDate(s.reference_date)))
        << s.idempotency_key;
    // Filed on the date whose feed listed it, not when the backfill ran (the clock: 11-24).
    EXPECT_EQ(UtcDate(s.submitted_at), s.reference_date) << s.idempotency_key;
  }
  EXPECT_EQ(MustRun(*job, range).rows_written, 0);  // re-run: every report seen before
  auto late = harness_->Run(*job, kDay, {{"to", "2026-11-21"}});
  EXPECT_TRUE(absl::IsInvalidArgument(late.status())) << late.status();
}

TEST_P(FeedJobsTest, CancelledRunReportsProgressAndWritesNothing) {
  MustRun(*MakeNavSnapshotJob(source_));
  std::vector<std::string> phases;
  JobContext::Hooks hooks;
  hooks.progress = [&phases](std::string_view phase, int64_t, int64_t) {
    phases.emplace_back(phase);
  };
  // Cancel once validation has begun: the job must stop at its next checkpoint.
  hooks.cancel_requested = [&phases] {
    return std::find(phases.begin(), phases.end(), "validating") != phases.end();
  };
  auto out = harness_->Run(*MakePositionsJob(source_), kDay, {}, hooks);
  EXPECT_TRUE(absl::IsCancelled(out.status())) << out.status();
  EXPECT_EQ(phases.front(), "fetching positions");
  auto versions = store().ListSnapshotVersions(SnapshotKind::kPositions, kDay);
  ASSERT_TRUE(versions.ok());
  EXPECT_TRUE(versions->empty());
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(FeedJobsTest);

}  // namespace
}  // namespace riskcap::server::jobs
