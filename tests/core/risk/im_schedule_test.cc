// Tests for core/risk/im_schedule.{h,cc}: the BCBS-IOSCO standardised initial-margin schedule.
// All expected figures are hand-computed from the schedule's rates and the net formula.
#include "core/risk/im_schedule.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap::risk {
namespace {

using ::testing::HasSubstr;

Trade ScheduleTrade(std::string id, AssetClass asset_class, double notional, double maturity,
                    double mtm, Direction direction = Direction::kLong) {
  Trade t;
  t.id = std::move(id);
  t.asset_class = asset_class;
  t.notional = notional;
  t.maturity_years = maturity;
  t.end_years = maturity;
  t.mtm = mtm;
  t.direction = direction;
  return t;
}

NettingSet WithTrades(std::vector<Trade> trades) {
  NettingSet ns;
  ns.id = "NS1";
  ns.trades = std::move(trades);
  return ns;
}

TEST(ImScheduleRate, ByAssetClassAndMaturityBucket) {
  struct Case {
    AssetClass asset_class;
    double maturity;
    double rate;
  };
  const std::vector<Case> cases = {
      // Buckets are [0, 2], (2, 5], (5, ...): a boundary belongs to the shorter bucket.
      {AssetClass::kInterestRate, 0, 0.01},    {AssetClass::kInterestRate, 2, 0.01},
      {AssetClass::kInterestRate, 2.01, 0.02}, {AssetClass::kInterestRate, 5, 0.02},
      {AssetClass::kInterestRate, 5.01, 0.04}, {AssetClass::kInterestRate, 30, 0.04},
      {AssetClass::kCredit, 0, 0.02},          {AssetClass::kCredit, 2, 0.02},
      {AssetClass::kCredit, 2.01, 0.05},       {AssetClass::kCredit, 5, 0.05},
      {AssetClass::kCredit, 5.01, 0.10},       {AssetClass::kForeignExchange, 10, 0.06},
      {AssetClass::kEquity, 10, 0.15},         {AssetClass::kCommodity, 0.1, 0.15},
      {AssetClass::kOther, 1, 0.15},
  };
  for (const Case& c : cases) {
    Trade t = ScheduleTrade("T", c.asset_class, 1, c.maturity, 0);
    EXPECT_DOUBLE_EQ(ImScheduleRate(t), c.rate)
        << EnumName(c.asset_class) << " maturity " << c.maturity;
  }
}

TEST(ImSchedule, ShortAndNegativeNotionalsCountPositively) {
  absl::StatusOr<ImScheduleResult> result = ComputeImSchedule(WithTrades({
      ScheduleTrade("T1", AssetClass::kInterestRate, 1000, 1, 0, Direction::kShort),    // 10
      ScheduleTrade("T2", AssetClass::kInterestRate, -1000, 10, 0, Direction::kShort),  // 40
      ScheduleTrade("T3", AssetClass::kForeignExchange, 500, 1, 0),                     // 30
  }));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_DOUBLE_EQ(result->gross_im, 80);
}

TEST(ImSchedule, NetAppliesNetToGrossRatio) {
  struct Case {
    std::string name;
    std::vector<double> mtms;
    double gross_rc;
    double net_rc;
    double ngr;
  };
  const std::vector<Case> cases = {
      {"NettingToZero", {50, -50}, 50, 0, 0},
      {"PartialNetting", {30, -10}, 30, 20, 2.0 / 3},
      {"NoNegativeValues", {30, 10}, 40, 40, 1},
      {"GrossRcZeroGivesNgrOne", {-30, -10}, 0, 0, 1},
      {"AllZero", {0, 0}, 0, 0, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    // Two OTHER trades of 1000: gross IM = 2 x 15% x 1000 = 300.
    absl::StatusOr<ImScheduleResult> result = ComputeImSchedule(WithTrades({
        ScheduleTrade("T1", AssetClass::kOther, 1000, 1, c.mtms[0]),
        ScheduleTrade("T2", AssetClass::kOther, 1000, 1, c.mtms[1]),
    }));
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->id, "NS1");
    EXPECT_DOUBLE_EQ(result->gross_im, 300);
    EXPECT_DOUBLE_EQ(result->gross_replacement_cost, c.gross_rc);
    EXPECT_DOUBLE_EQ(result->net_replacement_cost, c.net_rc);
    EXPECT_DOUBLE_EQ(result->ngr, c.ngr);
    EXPECT_DOUBLE_EQ(result->net_im, 0.4 * 300 + 0.6 * c.ngr * 300);
  }
}

TEST(ImSchedule, EmptyNettingSetIsZero) {
  absl::StatusOr<ImScheduleResult> result = ComputeImSchedule(WithTrades({}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->gross_im, 0);
  EXPECT_EQ(result->ngr, 1);
  EXPECT_EQ(result->net_im, 0);
}

TEST(ImSchedule, NeedsNoSaccrOnlyFields) {
  // No hedging key, rating or commodity set, and an OTHER trade: fine for the schedule.
  absl::StatusOr<ImScheduleResult> result = ComputeImSchedule(WithTrades({
      ScheduleTrade("T1", AssetClass::kCredit, 100, 3, 0),
      ScheduleTrade("T2", AssetClass::kCommodity, 100, 3, 0),
      ScheduleTrade("T3", AssetClass::kOther, 100, 3, 0),
  }));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_DOUBLE_EQ(result->gross_im, 5 + 15 + 15);
}

TEST(ImSchedule, RejectsInvalidInputWithTheField) {
  NettingSet ns = WithTrades({ScheduleTrade("T1", AssetClass::kInterestRate, 100, 1, 0),
                              ScheduleTrade("T2", AssetClass::kInterestRate, 100, -1, 0)});
  absl::StatusOr<ImScheduleResult> result = ComputeImSchedule(ns);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("netting set NS1 trade T2: maturity_years must be >= 0"));
  ns.trades[1].maturity_years = 1;
  ns.trades[1].mtm = std::numeric_limits<double>::quiet_NaN();
  result = ComputeImSchedule(ns);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("netting set NS1 trade T2: mtm must be a finite number"));
}

}  // namespace
}  // namespace riskcap::risk
