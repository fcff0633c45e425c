// Tests for core/canonical: a stable text per row, every field counted, batches order-free.
#include "core/canonical.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace riskcap {
namespace {

constexpr Date kDay(2026, 11, 24);

Money M(int64_t micros) { return Money::FromMicros(micros); }

Position SwapPosition() {
  Position p;
  p.fund_id = 101;
  p.position_date = kDay;
  p.asset_nickname = "SWAP DI x USD";
  p.asset_code = "SW123";
  p.asset_type_code = "SWAP";
  p.classification = PositionClassification::kOtcSwap;
  p.quantity = M(1'000'000);
  p.price = M(2'500'000);
  p.notional = M(10'000'000'000);
  p.market_value = M(-1'500'000);
  p.asset_leg_balance = M(5'000'000);
  p.liability_leg_balance = M(6'500'000);
  p.asset_class = OtcAssetClass::kFx;
  p.start_date = Date(2026, 1, 2);
  p.end_date = Date(2027, 1, 4);
  p.direction = "LONG";
  p.strike = 5.25;
  p.underlying_price = 0.1;
  p.currency = "USD";
  return p;
}

NavSnapshot Nav() {
  NavSnapshot n;
  n.fund_id = 101;
  n.position_date = kDay;
  n.nav = M(1'234'500'000);
  n.exchange_margin_pct = 0.12;
  n.derivatives_exposure = M(1);
  n.derivatives_exposure_pct = 0.5;
  n.derivatives_at_risk = M(2);
  n.derivatives_at_risk_pct = 0.25;
  n.liquidity_ratio = 1.5;
  n.var_95 = 0.01;
  n.var_99 = 0.02;
  n.stress_bull = 0.03;
  n.stress_bear = -0.04;
  n.return_day = 0.001;
  n.return_month = 0.002;
  n.return_year = 0.003;
  n.criticality = "A";
  return n;
}

FundExposure Exposure() {
  FundExposure e;
  e.fund_id = 101;
  e.position_date = kDay;
  e.otc = true;
  e.otc_option_count = 1;
  e.otc_swap_count = 2;
  e.offshore_fund_count = 3;
  e.otc_notional = M(4);
  e.otc_market_value = M(5);
  e.swap_notional = M(6);
  e.offshore_market_value = M(7);
  e.gross_exposure = M(8);
  e.net_exposure = M(9);
  e.largest_position_value = M(10);
  return e;
}

TEST(Canonical, PositionLineHasTheDocumentedForm) {
  EXPECT_EQ(CanonicalLine(SwapPosition()),
            "101|2026-11-24|SWAP DI x USD||SW123|SWAP|OTC_SWAP|1000000|2500000|10000000000|"
            "-1500000|5000000|6500000|FX|2026-01-02|2027-01-04|LONG||5.25|"
            "0.10000000000000001|USD\n");
}

TEST(Canonical, OtherRowLinesHaveTheDocumentedForm) {
  EXPECT_EQ(CanonicalLine(Nav()),
            "101|2026-11-24|1234500000|0.12|1|0.5|2|0.25|1.5|0.01|0.02|0.029999999999999999|"
            "-0.040000000000000001|0.001|0.002|0.0030000000000000001|A\n");
  EXPECT_EQ(CanonicalLine(NavHistoryEntry{101, kDay, M(1), M(-2)}), "101|2026-11-24|1|-2\n");
  EXPECT_EQ(CanonicalLine(Exposure()), "101|2026-11-24|1|0|1|2|3|4|5|6|7|8|9|10|||\n");
}

TEST(Canonical, SameRowsGiveTheSameText) {
  EXPECT_EQ(CanonicalLine(SwapPosition()), CanonicalLine(SwapPosition()));
  EXPECT_EQ(CanonicalBatch(std::vector<NavSnapshot>{Nav(), Nav()}),
            CanonicalLine(Nav()) + CanonicalLine(Nav()));
}

// Each case changes one field; every one must change the line.
template <typename Row>
void ExpectEveryChangeShows(
    const Row& base, const std::vector<std::pair<std::string, std::function<void(Row&)>>>& cases) {
  const std::string original = CanonicalLine(base);
  for (const auto& [name, change] : cases) {
    Row changed = base;
    change(changed);
    EXPECT_NE(CanonicalLine(changed), original) << name;
  }
}

TEST(Canonical, AnyPositionFieldChangeChangesTheLine) {
  ExpectEveryChangeShows<Position>(
      SwapPosition(),
      {
          {"fund_id", [](Position& p) { p.fund_id = 102; }},
          {"position_date", [](Position& p) { p.position_date = kDay - 1; }},
          {"asset_nickname", [](Position& p) { p.asset_nickname += "x"; }},
          {"isin", [](Position& p) { p.isin = "BRPETRACNPR6"; }},
          {"asset_code", [](Position& p) { p.asset_code = "SW124"; }},
          {"asset_type_code", [](Position& p) { p.asset_type_code = "OPT"; }},
          {"classification",
           [](Position& p) { p.classification = PositionClassification::kOtcOption; }},
          {"quantity", [](Position& p) { p.quantity = M(1'000'001); }},
          {"price", [](Position& p) { p.price = M(1); }},
          {"notional", [](Position& p) { p.notional = M(1); }},
          {"market_value", [](Position& p) { p.market_value = M(1); }},
          {"asset_leg_balance", [](Position& p) { p.asset_leg_balance = M(1); }},
          {"asset_leg_balance absent", [](Position& p) { p.asset_leg_balance.reset(); }},
          {"liability_leg_balance", [](Position& p) { p.liability_leg_balance = M(0); }},
          {"asset_class", [](Position& p) { p.asset_class = OtcAssetClass::kInterestRate; }},
          {"asset_class absent", [](Position& p) { p.asset_class.reset(); }},
          {"start_date", [](Position& p) { p.start_date = Date(2026, 1, 3); }},
          {"end_date", [](Position& p) { p.end_date.reset(); }},
          {"direction", [](Position& p) { p.direction = "SHORT"; }},
          {"option_type", [](Position& p) { p.option_type = "CALL"; }},
          {"strike", [](Position& p) { p.strike = 5.250000000000001; }},
          {"underlying_price", [](Position& p) { p.underlying_price.reset(); }},
          {"currency", [](Position& p) { p.currency = "EUR"; }},
      });
}

TEST(Canonical, AnyNavSnapshotFieldChangeChangesTheLine) {
  ExpectEveryChangeShows<NavSnapshot>(
      Nav(),
      {
          {"fund_id", [](NavSnapshot& n) { n.fund_id = 1; }},
          {"position_date", [](NavSnapshot& n) { n.position_date = kDay + 1; }},
          {"nav", [](NavSnapshot& n) { n.nav = M(1); }},
          {"exchange_margin_pct", [](NavSnapshot& n) { n.exchange_margin_pct = 0.13; }},
          {"derivatives_exposure", [](NavSnapshot& n) { n.derivatives_exposure = M(3); }},
          {"derivatives_exposure_pct", [](NavSnapshot& n) { n.derivatives_exposure_pct = 0; }},
          {"derivatives_at_risk", [](NavSnapshot& n) { n.derivatives_at_risk = M(3); }},
          {"derivatives_at_risk_pct", [](NavSnapshot& n) { n.derivatives_at_risk_pct = 0; }},
          {"liquidity_ratio", [](NavSnapshot& n) { n.liquidity_ratio = 0; }},
          {"var_95", [](NavSnapshot& n) { n.var_95 = 0; }},
          {"var_99", [](NavSnapshot& n) { n.var_99 = 0; }},
          {"stress_bull", [](NavSnapshot& n) { n.stress_bull = 0; }},
          {"stress_bear", [](NavSnapshot& n) { n.stress_bear = 0; }},
          {"return_day", [](NavSnapshot& n) { n.return_day = 0; }},
          {"return_month", [](NavSnapshot& n) { n.return_month = 0; }},
          {"return_year", [](NavSnapshot& n) { n.return_year = 0; }},
          {"criticality", [](NavSnapshot& n) { n.criticality = "B"; }},
      });
}

TEST(Canonical, AnyNavHistoryAndExposureFieldChangeChangesTheLine) {
  ExpectEveryChangeShows<NavHistoryEntry>(
      NavHistoryEntry{101, kDay, M(1), M(2)},
      {
          {"fund_id", [](NavHistoryEntry& h) { h.fund_id = 1; }},
          {"nav_date", [](NavHistoryEntry& h) { h.nav_date = kDay - 1; }},
          {"opening_nav", [](NavHistoryEntry& h) { h.opening_nav = M(3); }},
          {"closing_nav", [](NavHistoryEntry& h) { h.closing_nav = M(3); }},
      });
  ExpectEveryChangeShows<FundExposure>(
      Exposure(),
      {
          {"fund_id", [](FundExposure& e) { e.fund_id = 1; }},
          {"position_date", [](FundExposure& e) { e.position_date = kDay - 1; }},
          {"otc", [](FundExposure& e) { e.otc = false; }},
          {"offshore", [](FundExposure& e) { e.offshore = true; }},
          {"otc_option_count", [](FundExposure& e) { e.otc_option_count = 0; }},
          {"otc_swap_count", [](FundExposure& e) { e.otc_swap_count = 0; }},
          {"offshore_fund_count", [](FundExposure& e) { e.offshore_fund_count = 0; }},
          {"otc_notional", [](FundExposure& e) { e.otc_notional = M(0); }},
          {"otc_market_value", [](FundExposure& e) { e.otc_market_value = M(0); }},
          {"swap_notional", [](FundExposure& e) { e.swap_notional = M(0); }},
          {"offshore_market_value", [](FundExposure& e) { e.offshore_market_value = M(0); }},
          {"gross_exposure", [](FundExposure& e) { e.gross_exposure = M(0); }},
          {"net_exposure", [](FundExposure& e) { e.net_exposure = M(0); }},
          {"largest_position_value", [](FundExposure& e) { e.largest_position_value = M(0); }},
          {"nav", [](FundExposure& e) { e.nav = M(0); }},
          {"offshore_share_of_nav", [](FundExposure& e) { e.offshore_share_of_nav = 0.5; }},
          {"largest_position_share_of_nav",
           [](FundExposure& e) { e.largest_position_share_of_nav = 0.5; }},
      });
}

TEST(Canonical, SeparatorsInsideStringsCannotShiftFields) {
  Position a = SwapPosition();
  a.asset_nickname = "A|B";
  a.isin = "";
  Position b = SwapPosition();
  b.asset_nickname = "A";
  b.isin = "B";
  EXPECT_NE(CanonicalLine(a), CanonicalLine(b));
  Position c = SwapPosition();
  c.asset_nickname = "line\nbreak\\";
  EXPECT_NE(CanonicalLine(c).find("line\\nbreak\\\\|"), std::string::npos);
}

TEST(Canonical, NegativeZeroIsWrittenAsZero) {
  NavSnapshot a = Nav();
  a.return_day = -0.0;
  NavSnapshot b = Nav();
  b.return_day = 0.0;
  EXPECT_EQ(CanonicalLine(a), CanonicalLine(b));
}

// The documented format of a double is printf's "%.17g" (the hashes of stored versions depend on
// it), whatever the writer uses to produce it.
TEST(Canonical, DoublesAreWrittenAsPrintfWithSeventeenDigits) {
  std::mt19937_64 bits(20261124);
  std::vector<double> values = {0.1,   1.0 / 3.0, 5e-324, 2.2250738585072014e-308,
                                1e20,  1e21,      1e-5,   1.7976931348623157e308,
                                100.0, 0.5,       1e16,   12345678901234567.0};
  for (int i = 0; i < 200'000; ++i) {
    uint64_t b = bits();
    double v = 0;
    std::memcpy(&v, &b, sizeof v);
    if (std::isfinite(v)) values.push_back(v);
    values.push_back(static_cast<double>(bits() % 100'000'000) / 100.0);
  }
  for (double v : values) {
    for (double x : {v, -v}) {
      NavSnapshot nav = Nav();
      nav.var_95 = x;
      char expected[40];
      std::snprintf(expected, sizeof expected, "%.17g", x == 0 ? 0.0 : x);
      const std::string line = CanonicalLine(nav);
      ASSERT_NE(line.find(absl::StrCat("|", expected, "|")), std::string::npos)
          << expected << " not in " << line;
    }
  }
}

TEST(Canonical, BatchTextIgnoresRowOrder) {
  Position p1 = SwapPosition();
  Position p2 = SwapPosition();
  p2.fund_id = 99;
  Position p3 = SwapPosition();
  p3.asset_code = "AAA";
  std::vector<Position> forward = {p1, p2, p3};
  std::vector<Position> backward = {p3, p2, p1};
  EXPECT_EQ(CanonicalBatch(forward), CanonicalBatch(backward));
  EXPECT_EQ(CanonicalBatch(forward),
            CanonicalLine(p2) + CanonicalLine(p3) + CanonicalLine(p1));  // by fund, then fields
}

TEST(Canonical, BatchTextCountsDuplicateRows) {
  std::vector<NavHistoryEntry> once = {{101, kDay, M(1), M(2)}};
  std::vector<NavHistoryEntry> twice = {once[0], once[0]};
  EXPECT_NE(CanonicalBatch(once), CanonicalBatch(twice));
  EXPECT_EQ(CanonicalBatch(std::vector<NavHistoryEntry>{}), "");
}

// The exact lines, pinned from the implementation before the fast paths (hand-formatted dates,
// direct integer and string appends): content hashes of stored versions depend on them.
TEST(Canonical, LinesAreByteForByteThePinnedFormat) {
  Position swap = SwapPosition();
  Position other = SwapPosition();
  other.fund_id = 7;
  other.position_date = Date(1900, 1, 9);
  other.asset_nickname = "a|b\\c\nd\re ação";
  other.quantity = M(-9'223'372'036'854'775'807 - 1);
  other.price = M(0);
  other.asset_leg_balance.reset();
  other.asset_class.reset();
  other.start_date.reset();
  other.end_date = Date(9999, 12, 31);
  other.strike = -0.0;
  other.underlying_price = 1e-300;
  const std::string pinned =
      "101|2026-11-24|SWAP DI x USD||SW123|SWAP|OTC_SWAP|1000000|2500000|10000000000|-1500000|5000000|6500000|FX|2026-01-02|2027-01-04|LONG||5.25|0.10000000000000001|USD\n"
      "7|1900-01-09|a\\|b\\\\c\\nd\\re ação||SW123|SWAP|OTC_SWAP|-9223372036854775808|0|10000000000|-1500000||6500000|||9999-12-31|LONG||0|1e-300|USD\n"
      "101|2026-11-24|1234500000|0.12|1|0.5|2|0.25|1.5|0.01|0.02|0.029999999999999999|-0.040000000000000001|0.001|0.002|0.0030000000000000001|A\n";
  EXPECT_EQ(CanonicalLine(swap) + CanonicalLine(other) + CanonicalLine(Nav()), pinned);
}

// An exposure with its optional measures present, pinned like the lines above.
TEST(Canonical, ExposureLineWithMeasuresIsByteForByteThePinnedFormat) {
  FundExposure e = Exposure();
  e.offshore = true;
  e.nav = M(-1);
  e.offshore_share_of_nav = 1.0 / 3.0;
  e.largest_position_share_of_nav = -0.0;
  EXPECT_EQ(CanonicalLine(e), "101|2026-11-24|1|1|1|2|3|4|5|6|7|8|9|10|-1|0.33333333333333331|0\n");
}

}  // namespace
}  // namespace riskcap
