// Tests of the margin-status block of the store (db/store_status.cc), on both backends: a
// MARGIN_STATUS version round-trips every stored field, filters and keyset pages, the previous
// result for breach tracking, and the source version of a snapshot.
#include <optional>
#include <vector>

#include "core/rules/margin_status.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/db/workflow_test_support.h"

namespace riskcap::testing {
namespace {

using rules::FundStatusRow;

constexpr Date kRef(2026, 11, 24);

Money M(const char* text) { return *Money::Parse(text); }

FundStatusRow Row(int64_t fund_id, Date date, rules::DeadlineStatus deadline) {
  FundStatusRow row;
  row.manager_id = 1;
  row.regulatory_class = RegulatoryClass::kMultimercado;
  row.target_audience = TargetAudience::kQualified;
  rules::FundStatus& s = row.status;
  s.fund_id = fund_id;
  s.reference_date = date;
  s.rule_version = "test-1";
  s.consolidated_exposure = rules::ConsolidatedExposure::kOtc;
  s.exposure_position_date = date - 1;
  s.periodicity_days = 30;
  s.last_submission_date = date - 40;
  s.last_submission_source = rules::LastSubmissionSource::kExemption;
  s.next_due_date = date - 10;
  s.days_to_due = -10;
  s.deadline_status = deadline;
  s.validation_status = rules::ValidationStatus::kNotReceived;
  rules::RiskCapitalResult& r = row.risk;
  r.fund_id = fund_id;
  r.reference_date = date;
  r.rule_version = "test-1";
  r.nav = M("1000000.5");
  r.nav_date = date;
  r.exchange_margin = rules::MarginComponent{M("1000"), rules::MarginSource::kExchange, date};
  r.otc_margin = rules::MarginComponent{M("2000.25"), rules::MarginSource::kServerEstimate, date - 1};
  r.gross_margin = M("3000.25");
  r.utilisation = 0.1 + 0.2;  // a double that does not print short
  r.cap = rules::AppliedCap{0.7, rules::CapSource::kRegulatoryClass};
  r.limit_status = rules::LimitStatus::kBreach;
  r.stale = true;
  r.breach = rules::BreachState{date - 3, 2};
  row.benchmark.schedule_im = M("2000.25");
  row.benchmark.saccr_ead = M("3100.10");
  row.benchmark.position_count = 3;
  row.benchmark.excluded_count = 0;
  return row;
}

db::NewVersion Version(Date date, const std::string& hash) {
  db::NewVersion v;
  v.reference_date = date;
  v.content_hash = hash;
  v.source = "test";
  return v;
}

class StoreStatusTest : public OneManagerStoreTest {
 protected:
  void SetUp() override {
    OneManagerStoreTest::SetUp();
    SeedManager(2);
    SeedFund(201, 2);
  }
};

TEST_P(StoreStatusTest, RoundTripsEveryStoredField) {
  std::vector<FundStatusRow> rows = {Row(101, kRef, rules::DeadlineStatus::kOverdue)};
  FundStatusRow bare = Row(102, kRef, rules::DeadlineStatus::kNotApplicable);
  bare.status = rules::FundStatus{};
  bare.status.fund_id = 102;
  bare.status.reference_date = kRef;
  bare.status.rule_version = "test-1";
  bare.risk = rules::RiskCapitalResult{};
  bare.risk.fund_id = 102;
  bare.risk.reference_date = kRef;
  bare.risk.rule_version = "test-1";
  bare.benchmark = {};
  rows.push_back(bare);
  auto v = store().WriteFundStatus(Version(kRef, "h1"), rows);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->kind, SnapshotKind::kMarginStatus);
  EXPECT_EQ(v->row_count, 2);
  auto read = store().ListFundStatus(v->id, {}, db::Page{});
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 2u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rules::CanonicalLine((*read)[i]), rules::CanonicalLine(rows[i])) << i;
  }
}

TEST_P(StoreStatusTest, FiltersAndKeysetPages) {
  FundStatusRow other = Row(201, kRef, rules::DeadlineStatus::kOnTime);
  other.manager_id = 2;
  other.regulatory_class = RegulatoryClass::kRendaFixa;
  FundStatusRow none = Row(102, kRef, rules::DeadlineStatus::kNotApplicable);
  none.status.consolidated_exposure = rules::ConsolidatedExposure::kNone;
  none.risk.limit_status = rules::LimitStatus::kWithinLimit;
  auto v = store().WriteFundStatus(
      Version(kRef, "h"), {Row(101, kRef, rules::DeadlineStatus::kOverdue), none, other});
  ASSERT_TRUE(v.ok()) << v.status();
  auto funds = [&](const db::FundStatusFilter& f, db::Page page = {}) {
    std::vector<int64_t> ids;
    auto rows = store().ListFundStatus(v->id, f, page);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok()) return ids;
    for (const FundStatusRow& r : rows.value()) ids.push_back(r.fund_id());
    return ids;
  };
  db::FundStatusFilter f;
  EXPECT_EQ(funds(f), (std::vector<int64_t>{101, 102, 201}));
  f.include_not_monitored = false;
  EXPECT_EQ(funds(f), (std::vector<int64_t>{101, 201}));
  EXPECT_EQ(funds(f, db::Page{101, 1}), (std::vector<int64_t>{201}));
  EXPECT_EQ(funds(f, db::Page{0, 1}), (std::vector<int64_t>{101}));
  db::FundStatusFilter by_manager;
  by_manager.manager_id = 2;
  EXPECT_EQ(funds(by_manager), (std::vector<int64_t>{201}));
  db::FundStatusFilter by_class;
  by_class.regulatory_class = RegulatoryClass::kRendaFixa;
  EXPECT_EQ(funds(by_class), (std::vector<int64_t>{201}));
  db::FundStatusFilter by_deadline;
  by_deadline.deadline_status = rules::DeadlineStatus::kOverdue;
  EXPECT_EQ(funds(by_deadline), (std::vector<int64_t>{101}));
  db::FundStatusFilter by_limit;
  by_limit.limit_status = rules::LimitStatus::kWithinLimit;
  EXPECT_EQ(funds(by_limit), (std::vector<int64_t>{102}));
  db::FundStatusFilter by_exposure;
  by_exposure.exposure = rules::ConsolidatedExposure::kNone;
  EXPECT_EQ(funds(by_exposure), (std::vector<int64_t>{102}));
  db::FundStatusFilter by_validation;
  by_validation.validation_status = rules::ValidationStatus::kReceivedValidated;
  EXPECT_TRUE(funds(by_validation).empty());
}

// Two versions of one date with opposite deadlines: a page holds only the listed version's rows
// that pass every filter at once, and the next page starts past the rows of other filters.
TEST_P(StoreStatusTest, FiltersCombineWithinTheListedVersionAcrossPages) {
  SeedFund(103, 1);
  SeedFund(202, 2);
  SeedFund(203, 2);
  auto rows_of = [](bool flipped) {
    std::vector<FundStatusRow> rows;
    int i = 0;
    for (int64_t fund : {101, 102, 103, 201, 202, 203}) {
      const bool overdue = (i++ % 2 == 0) != flipped;
      FundStatusRow row = Row(fund, kRef, overdue ? rules::DeadlineStatus::kOverdue
                                                  : rules::DeadlineStatus::kOnTime);
      row.manager_id = fund / 100;
      rows.push_back(row);
    }
    return rows;
  };
  auto first = store().WriteFundStatus(Version(kRef, "first"), rows_of(false));
  auto second = store().WriteFundStatus(Version(kRef, "second"), rows_of(true));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  db::FundStatusFilter f;
  f.manager_id = 1;
  f.deadline_status = rules::DeadlineStatus::kOverdue;
  f.include_not_monitored = false;
  // Pages of one row, each from the previous page's last fund.
  auto walk = [&](int64_t version_id) {
    std::vector<int64_t> ids;
    for (db::Page page{0, 1};; page.after_id = ids.back()) {
      auto rows = store().ListFundStatus(version_id, f, page);
      EXPECT_TRUE(rows.ok()) << rows.status();
      if (!rows.ok() || rows->empty()) return ids;
      EXPECT_EQ(rows->size(), 1u);
      ids.push_back(rows->front().fund_id());
    }
  };
  EXPECT_EQ(walk(first->id), (std::vector<int64_t>{101, 103}));
  EXPECT_EQ(walk(second->id), (std::vector<int64_t>{102}));
  db::FundStatusFilter one_fund;
  one_fund.fund_id = 103;
  auto only = store().ListFundStatus(first->id, one_fund, db::Page{});
  ASSERT_TRUE(only.ok()) << only.status();
  ASSERT_EQ(only->size(), 1u);
  EXPECT_EQ(only->front().status.deadline_status, rules::DeadlineStatus::kOverdue);
  one_fund.deadline_status = rules::DeadlineStatus::kOnTime;
  auto none = store().ListFundStatus(first->id, one_fund, db::Page{});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreStatusTest, PreviousResultIsTheCurrentVersionOfTheLatestEarlierDate) {
  EXPECT_FALSE(store().LatestFundStatusBefore(101, kRef)->has_value());
  FundStatusRow old = Row(101, kRef - 2, rules::DeadlineStatus::kOverdue);
  ASSERT_TRUE(store().WriteFundStatus(Version(kRef - 2, "a"), {old}).ok());
  FundStatusRow v1 = Row(101, kRef - 1, rules::DeadlineStatus::kOverdue);
  v1.risk.breach.start_date = kRef - 5;
  FundStatusRow v2 = v1;
  v2.risk.breach.start_date = kRef - 4;
  ASSERT_TRUE(store().WriteFundStatus(Version(kRef - 1, "b"), {v1}).ok());
  ASSERT_TRUE(store().WriteFundStatus(Version(kRef - 1, "c"), {v2}).ok());
  ASSERT_TRUE(store().WriteFundStatus(Version(kRef, "d"), {Row(101, kRef, rules::DeadlineStatus::kOverdue)}).ok());
  auto previous = store().LatestFundStatusBefore(101, kRef);
  ASSERT_TRUE(previous.ok()) << previous.status();
  ASSERT_TRUE(previous->has_value());
  EXPECT_EQ((*previous)->status.reference_date, kRef - 1);
  EXPECT_EQ((*previous)->risk.breach.start_date, kRef - 4);
  EXPECT_FALSE(store().LatestFundStatusBefore(102, kRef)->has_value());
}

TEST_P(StoreStatusTest, RefusesRowsOfAnotherDateOrTwiceTheSameFund) {
  auto other_date = store().WriteFundStatus(
      Version(kRef, "x"), {Row(101, kRef - 1, rules::DeadlineStatus::kOverdue)});
  EXPECT_EQ(other_date.status().code(), kInvalid);
  auto twice = store().WriteFundStatus(Version(kRef, "x"),
                                       {Row(101, kRef, rules::DeadlineStatus::kOverdue),
                                        Row(101, kRef, rules::DeadlineStatus::kOverdue)});
  EXPECT_EQ(twice.status().code(), kInvalid);
  EXPECT_EQ(store().GetSnapshotVersion(SnapshotKind::kMarginStatus, kRef, std::nullopt)
                .status().code(), kNotFound);
}

TEST_P(StoreStatusTest, ListingAnotherKindOfVersionIsNotFound) {
  auto nav = store().WriteNavSnapshot(Version(kRef, "n"), {});
  ASSERT_TRUE(nav.ok());
  EXPECT_EQ(store().ListFundStatus(nav->id, {}, db::Page{}).status().code(), kNotFound);
}

TEST_P(StoreStatusTest, SourceVersionOfAnExposureSnapshot) {
  auto positions = store().WritePositions(Version(kRef, "p"), {});
  ASSERT_TRUE(positions.ok());
  db::NewVersion ev = Version(kRef, "e");
  ev.source_version_id = positions->id;
  auto exposure = store().WriteExposure(ev, {});
  ASSERT_TRUE(exposure.ok());
  EXPECT_EQ(*store().GetSourceVersionId(exposure->id), positions->id);
  EXPECT_FALSE(store().GetSourceVersionId(positions->id)->has_value());
  EXPECT_EQ(store().GetSourceVersionId(999999).status().code(), kNotFound);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(StoreStatusTest);

}  // namespace
}  // namespace riskcap::testing
