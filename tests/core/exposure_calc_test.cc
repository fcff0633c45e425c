// ComputeExposures: flags, counts and measures per fund.
#include "core/exposure_calc.h"

#include <limits>

#include "gtest/gtest.h"

namespace riskcap {
namespace {

const Date kDay(2026, 11, 20);

Position P(int64_t fund, PositionClassification c, int64_t notional, int64_t mv) {
  Position p;
  p.fund_id = fund;
  p.position_date = kDay;
  p.classification = c;
  p.notional = *Money::FromUnits(notional);
  p.market_value = *Money::FromUnits(mv);
  return p;
}

Money U(int64_t units) { return *Money::FromUnits(units); }

TEST(ComputeExposures, TableOfFlagsAndMeasures) {
  using C = PositionClassification;
  auto got = ComputeExposures({
      P(2, C::kOffshoreFund, 0, 500),
      P(1, C::kOtcOption, -1000, 30),
      P(1, C::kOtcSwap, 2000, -50),
      P(1, C::kOther, 0, 700),
      P(3, C::kForeignInvestment, 0, 100),
      P(2, C::kOffshoreFund, 0, -20),
  });
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 3u);
  const FundExposure& f1 = (*got)[0];
  EXPECT_EQ(f1.fund_id, 1);
  EXPECT_TRUE(f1.otc);
  EXPECT_FALSE(f1.offshore);
  EXPECT_EQ(f1.otc_option_count, 1);
  EXPECT_EQ(f1.otc_swap_count, 1);
  EXPECT_EQ(f1.otc_notional, U(3000));  // absolute notionals
  EXPECT_EQ(f1.otc_market_value, U(-20));
  EXPECT_EQ(f1.swap_notional, U(2000));
  EXPECT_EQ(f1.gross_exposure, U(780));
  EXPECT_EQ(f1.net_exposure, U(680));
  EXPECT_EQ(f1.largest_position_value, U(700));
  const FundExposure& f2 = (*got)[1];
  EXPECT_FALSE(f2.otc);
  EXPECT_TRUE(f2.offshore);
  EXPECT_EQ(f2.offshore_fund_count, 2);
  EXPECT_EQ(f2.offshore_market_value, U(480));
  const FundExposure& f3 = (*got)[2];
  EXPECT_FALSE(f3.otc || f3.offshore);  // foreign investments are not offshore funds
  EXPECT_EQ(f3.gross_exposure, U(100));
}

TEST(ComputeExposures, EmptyBatchGivesNoFunds) {
  auto got = ComputeExposures({});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

TEST(ComputeExposures, MixedDatesForOneFundAreRejected) {
  Position a = P(1, PositionClassification::kOther, 0, 1);
  Position b = a;
  b.position_date = kDay + 1;
  EXPECT_EQ(ComputeExposures({a, b}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ComputeExposures, OverflowIsReportedNotWrapped) {
  Position big = P(1, PositionClassification::kOther, 0, 0);
  big.market_value = Money::FromMicros(std::numeric_limits<int64_t>::max() - 1);
  EXPECT_EQ(ComputeExposures({big, big}).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(ApplyNavMeasures, SharesOfAPositiveNavOfTheSameDateOnly) {
  using C = PositionClassification;
  auto rows = ComputeExposures({
      P(1, C::kOffshoreFund, 0, 250), P(1, C::kOther, 0, -400),  // NAV 1000
      P(2, C::kOffshoreFund, 0, 100),                            // NAV of another date
      P(3, C::kOffshoreFund, 0, 100),                            // NAV 0
      P(4, C::kOffshoreFund, 0, 100),                            // no NAV
  });
  ASSERT_TRUE(rows.ok()) << rows.status();
  ApplyNavMeasures({{1, {kDay, U(1000)}}, {2, {kDay - 1, U(1000)}}, {3, {kDay, U(0)}}}, *rows);
  ASSERT_EQ(rows->size(), 4u);
  const FundExposure& one = (*rows)[0];
  EXPECT_EQ(one.nav, U(1000));
  EXPECT_DOUBLE_EQ(*one.offshore_share_of_nav, 0.25);
  EXPECT_DOUBLE_EQ(*one.largest_position_share_of_nav, 0.4);
  EXPECT_FALSE((*rows)[1].nav.has_value());
  EXPECT_FALSE((*rows)[1].offshore_share_of_nav.has_value());
  EXPECT_EQ((*rows)[2].nav, U(0));
  EXPECT_FALSE((*rows)[2].offshore_share_of_nav.has_value());
  EXPECT_FALSE((*rows)[2].largest_position_share_of_nav.has_value());
  EXPECT_FALSE((*rows)[3].nav.has_value());
}

}  // namespace
}  // namespace riskcap
