// Tests for core/risk/position_benchmark.{h,cc}: which stored positions become trades, and the
// one-netting-set schedule IM / SA-CCR figures over them.
#include "core/risk/position_benchmark.h"

#include <string>
#include <vector>

#include "core/risk/im_schedule.h"
#include "core/risk/saccr.h"
#include "gtest/gtest.h"

namespace riskcap::risk {
namespace {

constexpr Date kRef(2026, 11, 24);

Money M(const char* text) { return *Money::Parse(text); }

Position Swap(const char* notional, const char* mtm, Date end, OtcAssetClass c = OtcAssetClass::kInterestRate) {
  Position p;
  p.fund_id = 1;
  p.position_date = kRef;
  p.asset_code = "SWAP1";
  p.classification = PositionClassification::kOtcSwap;
  p.notional = M(notional);
  p.market_value = M(mtm);
  p.asset_class = c;
  p.end_date = end;
  p.direction = "LONG";
  p.currency = "BRL";
  return p;
}

TEST(PositionBenchmark, WhichPositionsQualify) {
  struct Case {
    std::string name;
    Position position;
    bool qualifies;
  };
  Position no_class = Swap("100", "0", kRef + 365);
  no_class.asset_class.reset();
  Position matured = Swap("100", "0", kRef);
  Position no_direction = Swap("100", "0", kRef + 365);
  no_direction.direction.clear();
  Position option = Swap("100", "0", kRef + 365, OtcAssetClass::kEquity);
  option.classification = PositionClassification::kOtcOption;
  option.option_type = "CALL";
  option.strike = 10;
  option.underlying_price = 12;
  Position option_no_strike = option;
  option_no_strike.strike.reset();
  Position offshore = Swap("100", "0", kRef + 365);
  offshore.classification = PositionClassification::kOffshoreFund;
  const std::vector<Case> cases = {
      {"IR swap with all fields", Swap("100", "0", kRef + 365), true},
      {"FX swap", Swap("100", "0", kRef + 365, OtcAssetClass::kFx), true},
      {"credit: no rating on positions", Swap("100", "0", kRef + 365, OtcAssetClass::kCredit), false},
      {"commodity: no commodity set", Swap("100", "0", kRef + 365, OtcAssetClass::kCommodity), false},
      {"no asset class", no_class, false},
      {"ends on the reference date", matured, false},
      {"no direction", no_direction, false},
      {"equity option with strike and price", option, true},
      {"option without strike", option_no_strike, false},
      {"not an OTC derivative", offshore, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(TradeFromPosition(c.position, kRef).has_value(), c.qualifies) << c.name;
  }
}

TEST(PositionBenchmark, TenYearSwapTakesTheFourPercentScheduleRate) {
  // 1,000,000 notional, 10 years: gross IM 4% = 40,000; MtM 0 -> NGR 1 -> net 40,000.
  std::vector<Position> positions = {Swap("-1000000", "0", kRef + 3650)};
  auto b = BenchmarkPositions(positions, kRef);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->position_count, 1);
  EXPECT_EQ(b->excluded_count, 0);
  ASSERT_TRUE(b->schedule_im.has_value());
  EXPECT_EQ(*b->schedule_im, M("40000"));
  ASSERT_TRUE(b->saccr_ead.has_value());
  EXPECT_GT(*b->saccr_ead, Money());
}

TEST(PositionBenchmark, MatchesTheCalculatorOnTheSameTrades) {
  std::vector<Position> positions = {Swap("5000000", "12000", kRef + 800),
                                     Swap("2000000", "-3000", kRef + 2000, OtcAssetClass::kFx)};
  NettingSet set;
  set.id = "x";
  for (const Position& p : positions) set.trades.push_back(*TradeFromPosition(p, kRef));
  set.trades[1].id = "other";
  auto b = BenchmarkPositions(positions, kRef);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->schedule_im->micros(),
            std::llround(ComputeImSchedule(set)->net_im * 100) * 10'000);
  EXPECT_EQ(b->saccr_ead->micros(), std::llround(ComputeSaccr(set)->ead * 100) * 10'000);
}

TEST(PositionBenchmark, NoQualifyingPositionGivesNoFigures) {
  Position credit = Swap("100", "0", kRef + 365, OtcAssetClass::kCredit);
  Position other;
  other.classification = PositionClassification::kOther;
  std::vector<Position> positions = {credit, other};
  auto b = BenchmarkPositions(positions, kRef);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->position_count, 0);
  EXPECT_EQ(b->excluded_count, 1);  // only OTC derivatives are counted
  EXPECT_FALSE(b->schedule_im.has_value());
  EXPECT_FALSE(b->saccr_ead.has_value());
}

}  // namespace
}  // namespace riskcap::risk
