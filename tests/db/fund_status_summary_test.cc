// Tests of the margin-status summary (db/internal/fund_status_summary.cc), on both backends: the counts
// and totals stored with a version (migration 0018) summarise it exactly as grouping its
// fund_status rows does, a version without stored counts is summarised from its rows, and open
// findings are counted live.
#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/enums.h"
#include "core/rules/fund_status_row.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/db/workflow_test_support.h"

namespace riskcap::testing {
namespace {

using rules::FundStatusRow;

constexpr Date kRef(2026, 11, 24);
constexpr int kManagers = 3;
constexpr int kFunds = 240;

// Every value of E in turn: value `i % count` of its names.
template <typename E>
E Pick(uint64_t i) {
  return static_cast<E>(i % EnumNames<E>::kNames.size());
}

// Fund `id` of a generated version: every status kind occurs, for several managers, with
// utilisations that repeat (ties go to the lowest fund id) or are missing.
FundStatusRow Generated(int64_t id) {
  const uint64_t h = static_cast<uint64_t>(id) * 2654435761u;  // spreads the statuses
  FundStatusRow row;
  row.manager_id = 1 + id % kManagers;
  row.regulatory_class = Pick<RegulatoryClass>(h >> 3);
  row.target_audience = TargetAudience::kQualified;
  row.status.fund_id = row.risk.fund_id = id;
  row.status.reference_date = row.risk.reference_date = kRef;
  row.status.rule_version = row.risk.rule_version = "test-1";
  row.status.consolidated_exposure = Pick<rules::ConsolidatedExposure>(h >> 7);
  row.status.deadline_status = Pick<rules::DeadlineStatus>(h >> 11);
  row.status.validation_status = Pick<rules::ValidationStatus>(h >> 15);
  row.risk.limit_status = Pick<rules::LimitStatus>(h >> 19);
  row.risk.stale = (h >> 23) % 2 == 1;
  if (id % 11 == 0) return row;  // no utilisation
  row.risk.utilisation = static_cast<double>(id % 37) / 20.0;
  return row;
}

db::NewVersion Version(const std::string& hash) {
  return db::NewVersion{.reference_date = kRef, .content_hash = hash, .source = "test"};
}

using GroupKey = std::tuple<RegulatoryClass, rules::ConsolidatedExposure, rules::DeadlineStatus,
                            rules::ValidationStatus, rules::LimitStatus, bool, int64_t>;

// The groups in a fixed order (neither source promises one).
std::vector<GroupKey> Sorted(const db::FundStatusSummary& s) {
  std::vector<GroupKey> out;
  for (const auto& g : s.groups) {
    out.emplace_back(g.regulatory_class, g.exposure, g.deadline, g.validation, g.limit, g.stale,
                     g.funds);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void ExpectSameSummary(const db::FundStatusSummary& stored, const db::FundStatusSummary& grouped,
                       const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(Sorted(stored), Sorted(grouped));
  EXPECT_EQ(stored.max_utilisation, grouped.max_utilisation);
  EXPECT_EQ(stored.max_utilisation_fund_id, grouped.max_utilisation_fund_id);
  EXPECT_EQ(stored.open_findings, grouped.open_findings);
}

class FundStatusSummaryTest : public WorkflowStoreTest {
 protected:
  void SetUp() override {
    WorkflowStoreTest::SetUp();
    for (int m = 1; m <= kManagers + 1; ++m) SeedManager(m);  // the last one has no funds
    for (int id = 1; id <= kFunds; ++id) SeedFund(id, 1 + id % kManagers);
  }

  db::FundStatusSummary Summarize(int64_t version_id, std::optional<int64_t> manager) {
    auto summary = store().SummarizeFundStatus(version_id, manager);
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.ok() ? *summary : db::FundStatusSummary{};
  }

  // Rows of `table` (fund_status_counts or fund_status_totals) for the version.
  long long StoredRows(int64_t version_id, const std::string& table = "fund_status_counts") {
    long long id = version_id, n = -1;
    absl::Status st = store().database().Read([&](soci::session& s) -> absl::Status {
      s << "SELECT COUNT(*) FROM " + table + " WHERE version_id = :v", soci::use(id),
          soci::into(n);
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
    return n;
  }

  // What a version written before migration 0018 looks like: rows, no stored counts or totals.
  void ForgetStoredCounts(int64_t version_id) {
    long long id = version_id;
    absl::Status st = store().database().Write([&](soci::session& s) -> absl::Status {
      s << "DELETE FROM fund_status_counts WHERE version_id = :v", soci::use(id);
      s << "DELETE FROM fund_status_totals WHERE version_id = :v", soci::use(id);
      return absl::OkStatus();
    });
    ASSERT_TRUE(st.ok()) << st;
  }

  Finding Raise(int64_t fund_id, Date date, const std::string& key) {
    Finding f;
    f.rule = "OVERDUE";
    f.fund_id = fund_id;
    f.reference_date = date;
    f.message = "overdue";
    f.dedup_key = key;
    f.raised_at = kT0;
    auto raised = store().RaiseFinding(f);
    EXPECT_TRUE(raised.ok()) << raised.status();
    return raised.ok() ? *raised : Finding{};
  }
};

TEST_P(FundStatusSummaryTest, StoredCountsSummariseAsTheVersionsRowsDo) {
  std::vector<FundStatusRow> rows;
  for (int id = 1; id <= kFunds; ++id) rows.push_back(Generated(id));
  auto v = store().WriteFundStatus(Version("h"), rows);
  ASSERT_TRUE(v.ok()) << v.status();
  for (int id : {3, 4, 5, 7}) Raise(id, kRef, absl::StrCat("overdue/", id));
  ASSERT_TRUE(store().AcknowledgeFinding(Raise(8, kRef, "overdue/8").id, "analyst:1", kT0).ok());
  ASSERT_GT(StoredRows(v->id), StoredRows(v->id, "fund_status_totals"));  // per manager
  ASSERT_GT(StoredRows(v->id, "fund_status_totals"), 0);

  const std::vector<std::optional<int64_t>> managers = {std::nullopt, 1, 2, 3, kManagers + 1};
  std::vector<db::FundStatusSummary> stored;
  for (const auto& m : managers) stored.push_back(Summarize(v->id, m));
  ForgetStoredCounts(v->id);
  for (size_t i = 0; i < managers.size(); ++i) {
    ExpectSameSummary(stored[i], Summarize(v->id, managers[i]),
                      managers[i] ? absl::StrCat("manager ", *managers[i]) : "every manager");
  }

  // The figures themselves, against the rows: every monitored fund counted once, and the
  // highest utilisation (36/20, held by funds 36, 73, ...) goes to the lowest fund id.
  int64_t monitored = 0;
  for (const FundStatusRow& row : rows) monitored += row.monitored() ? 1 : 0;
  int64_t counted = 0;
  for (const auto& g : stored[0].groups) counted += g.funds;
  EXPECT_EQ(counted, monitored);
  EXPECT_GT(stored[0].groups.size(), 50u);  // many combinations, not a degenerate dataset
  int64_t top = 0;
  for (const FundStatusRow& row : rows) {
    if (row.monitored() && row.risk.utilisation == 36 / 20.0 && top == 0) top = row.fund_id();
  }
  EXPECT_EQ(stored[0].max_utilisation, 36 / 20.0);
  EXPECT_EQ(stored[0].max_utilisation_fund_id, top);
  EXPECT_TRUE(Summarize(v->id, kManagers + 1).groups.empty());
}

TEST_P(FundStatusSummaryTest, VersionWithoutStoredCountsIsSummarisedFromItsRows) {
  std::vector<FundStatusRow> rows = {Generated(1), Generated(2), Generated(3)};
  for (FundStatusRow& row : rows) {
    row.status.consolidated_exposure = rules::ConsolidatedExposure::kOtc;
    row.status.deadline_status = rules::DeadlineStatus::kOverdue;
    row.status.validation_status = rules::ValidationStatus::kNotReceived;
    row.risk.limit_status = rules::LimitStatus::kBreach;
    row.risk.stale = false;
    row.regulatory_class = RegulatoryClass::kAcoes;
  }
  rows[2].risk.utilisation = 0.5;
  rows[1].risk.utilisation = 0.9;
  auto v = store().WriteFundStatus(Version("h"), rows);
  ASSERT_TRUE(v.ok()) << v.status();
  ForgetStoredCounts(v->id);
  ASSERT_EQ(StoredRows(v->id), 0);
  db::FundStatusSummary all = Summarize(v->id, std::nullopt);
  ASSERT_EQ(all.groups.size(), 1u);
  EXPECT_EQ(all.groups[0].funds, 3);
  EXPECT_EQ(all.groups[0].limit, rules::LimitStatus::kBreach);
  EXPECT_EQ(all.max_utilisation, 0.9);
  EXPECT_EQ(all.max_utilisation_fund_id, 2);
  db::FundStatusSummary of_manager = Summarize(v->id, rows[2].manager_id);
  ASSERT_EQ(of_manager.groups.size(), 1u);
  EXPECT_EQ(of_manager.groups[0].funds, 1);
  EXPECT_EQ(of_manager.max_utilisation, 0.5);
}

// Findings are acknowledged and resolved after the version is written: the summary counts the
// date's OPEN and ACKNOWLEDGED findings on its monitored funds as they are now.
TEST_P(FundStatusSummaryTest, OpenFindingsAreCountedLive) {
  FundStatusRow monitored = Generated(1);
  monitored.status.consolidated_exposure = rules::ConsolidatedExposure::kOffshore;
  FundStatusRow other_manager = Generated(2);
  other_manager.status.consolidated_exposure = rules::ConsolidatedExposure::kOtc;
  FundStatusRow not_monitored = Generated(3);
  not_monitored.status.consolidated_exposure = rules::ConsolidatedExposure::kNone;
  auto v = store().WriteFundStatus(Version("h"), {monitored, other_manager, not_monitored});
  ASSERT_TRUE(v.ok()) << v.status();
  Finding open = Raise(1, kRef, "a/1");
  Raise(1, kRef, "b/1");
  Raise(2, kRef, "a/2");
  Raise(3, kRef, "a/3");      // a fund the version does not monitor
  Raise(1, kRef - 1, "a/1");  // another date's
  Raise(4, kRef, "a/4");      // a fund without a row in the version
  EXPECT_EQ(Summarize(v->id, std::nullopt).open_findings, 3);
  EXPECT_EQ(Summarize(v->id, monitored.manager_id).open_findings, 2);
  ASSERT_TRUE(store().AcknowledgeFinding(open.id, "analyst:1", kT0).ok());
  EXPECT_EQ(Summarize(v->id, std::nullopt).open_findings, 3);
  ASSERT_TRUE(store().ResolveFinding(open.id, "analyst:1", "received", kT0).ok());
  EXPECT_EQ(Summarize(v->id, std::nullopt).open_findings, 2);
  EXPECT_EQ(Summarize(v->id, monitored.manager_id).open_findings, 1);
}

TEST_P(FundStatusSummaryTest, AnotherKindOfVersionIsNotFound) {
  auto nav = store().WriteNavSnapshot(Version("n"), {});
  ASSERT_TRUE(nav.ok()) << nav.status();
  EXPECT_EQ(store().SummarizeFundStatus(nav->id, std::nullopt).status().code(), kNotFound);
  EXPECT_EQ(store().SummarizeFundStatus(999999, std::nullopt).status().code(), kNotFound);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(FundStatusSummaryTest);

}  // namespace
}  // namespace riskcap::testing
