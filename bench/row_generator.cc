// Synthetic rows from a 64-bit mix of (seed, index, field).
#include "bench/row_generator.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace riskcap::bench {
namespace {

namespace v1 = ::riskcap::v1;

// splitmix64: a well-mixed 64-bit value per (seed, index, salt).
uint64_t Mix(uint64_t seed, int64_t index, uint64_t salt) {
  uint64_t z = seed + static_cast<uint64_t>(index) * 0x9e3779b97f4a7c15ULL + salt * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A value in [lo, hi].
int64_t Uniform(uint64_t seed, int64_t index, uint64_t salt, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(Mix(seed, index, salt) % static_cast<uint64_t>(hi - lo + 1));
}

std::string ShiftDays(const std::string& date, int64_t days) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(date, &day)) std::abort();  // plans are built from valid dates
  return absl::FormatCivilTime(day + days);
}

int64_t FundOf(const RowPlan& plan, int64_t index) {
  return plan.fund_ids[static_cast<size_t>(index) % plan.fund_ids.size()];
}

void FillOption(const RowPlan& plan, int64_t i, v1::Position* p) {
  const bool call = Mix(plan.seed, i, 7) % 2 == 0;
  const int64_t qty = Uniform(plan.seed, i, 8, -500, 500);
  const int64_t premium = Uniform(plan.seed, i, 9, 1, 50'000);  // hundredths
  p->set_asset_nickname(absl::StrCat(call ? "CALL " : "PUT ", "USDBRL ", i % 997));
  p->set_asset_code(absl::StrCat("OPT", i));
  p->set_asset_type_code("OPC");
  p->set_classification(v1::POSITION_CLASSIFICATION_OTC_OPTION);
  p->set_quantity(absl::StrCat(qty));
  p->set_price(Hundredths(premium));
  p->set_notional(Hundredths(std::llabs(qty) * 100 * Uniform(plan.seed, i, 10, 400, 600)));
  p->set_market_value(Hundredths(qty * premium));
  p->set_otc_asset_class(v1::OTC_ASSET_CLASS_FX);
  p->set_start_date(ShiftDays(plan.date, -Uniform(plan.seed, i, 11, 1, 300)));
  p->set_end_date(ShiftDays(plan.date, Uniform(plan.seed, i, 12, 1, 700)));
  p->set_option_type(call ? v1::OPTION_TYPE_CALL : v1::OPTION_TYPE_PUT);
  p->mutable_strike()->set_value(4.5 + static_cast<double>(Uniform(plan.seed, i, 13, 0, 200)) / 100);
  p->mutable_underlying_price()->set_value(5.0 + static_cast<double>(Uniform(plan.seed, i, 14, 0, 100)) / 100);
  p->set_currency("USD");
}

void FillSwap(const RowPlan& plan, int64_t i, v1::Position* p) {
  const int64_t asset_leg = Uniform(plan.seed, i, 15, 100'000'00, 50'000'000'00);
  const int64_t liability_leg = -(asset_leg + Uniform(plan.seed, i, 16, -1'000'000'00, 1'000'000'00));
  p->set_asset_nickname(absl::StrCat("SWAP DI x IPCA ", i % 991));
  p->set_asset_code(absl::StrCat("SWP", i));
  p->set_asset_type_code("SWAP");
  p->set_classification(v1::POSITION_CLASSIFICATION_OTC_SWAP);
  p->set_quantity("1");
  p->set_price(Hundredths(asset_leg + liability_leg));
  p->set_notional(Hundredths(asset_leg));
  p->set_market_value(Hundredths(asset_leg + liability_leg));
  p->set_asset_leg_balance(Hundredths(asset_leg));
  p->set_liability_leg_balance(Hundredths(liability_leg));
  p->set_otc_asset_class(v1::OTC_ASSET_CLASS_IR);
  p->set_start_date(ShiftDays(plan.date, -Uniform(plan.seed, i, 17, 1, 700)));
  p->set_end_date(ShiftDays(plan.date, Uniform(plan.seed, i, 18, 30, 3'000)));
  p->set_direction(Mix(plan.seed, i, 19) % 2 == 0 ? v1::TRADE_DIRECTION_LONG
                                                  : v1::TRADE_DIRECTION_SHORT);
  p->set_currency("BRL");
}

void FillOffshore(const RowPlan& plan, int64_t i, v1::Position* p) {
  const int64_t qty = Uniform(plan.seed, i, 20, 1, 100'000);
  const int64_t price = Uniform(plan.seed, i, 21, 100, 1'000'000);
  p->set_asset_nickname(absl::StrCat("Offshore Feeder ", i % 89));
  p->set_isin(absl::StrCat("KYG", 100'000'000 + Uniform(plan.seed, i, 22, 0, 899'999'999)));
  p->set_asset_code(absl::StrCat("OFF", i % 89));
  p->set_asset_type_code("FUND");
  p->set_classification(v1::POSITION_CLASSIFICATION_OFFSHORE_FUND);
  p->set_quantity(absl::StrCat(qty));
  p->set_price(Hundredths(price));
  p->set_notional("0");
  p->set_market_value(Hundredths(qty * price));
}

void FillOther(const RowPlan& plan, int64_t i, v1::Position* p) {
  const int64_t qty = Uniform(plan.seed, i, 23, 1, 1'000'000);
  const int64_t price = Uniform(plan.seed, i, 24, 1, 100'000);
  p->set_asset_nickname(absl::StrCat("LTN ", 2027 + i % 8));
  p->set_isin(absl::StrCat("BRSTNC", 100'000 + Uniform(plan.seed, i, 25, 0, 899'999)));
  p->set_asset_code(absl::StrCat("TPF", i % 503));
  p->set_asset_type_code("TPF");
  p->set_classification(v1::POSITION_CLASSIFICATION_OTHER);
  p->set_quantity(absl::StrCat(qty));
  p->set_price(Hundredths(price));
  p->set_notional("0");
  p->set_market_value(Hundredths(qty * price));
}

}  // namespace

std::string Hundredths(int64_t hundredths) {
  const uint64_t magnitude =
      hundredths < 0 ? 0 - static_cast<uint64_t>(hundredths) : static_cast<uint64_t>(hundredths);
  const uint64_t cents = magnitude % 100;
  return absl::StrCat(hundredths < 0 ? "-" : "", magnitude / 100, cents < 10 ? ".0" : ".", cents);
}

void GeneratePosition(const RowPlan& plan, int64_t index, v1::Position* out) {
  out->Clear();
  out->set_fund_id(FundOf(plan, index));
  out->set_position_date(plan.date);
  switch (index % 10) {
    case 0: case 1: case 2: FillOption(plan, index, out); break;
    case 3: case 4: case 5: FillSwap(plan, index, out); break;
    case 6: case 7: FillOffshore(plan, index, out); break;
    default: FillOther(plan, index, out);
  }
}

void GenerateNavSnapshot(const RowPlan& plan, int64_t index, v1::NavSnapshot* out) {
  out->Clear();
  const int64_t nav = Uniform(plan.seed, index, 30, 10'000'000'00, 5'000'000'000'00);
  out->set_fund_id(FundOf(plan, index));
  out->set_position_date(plan.date);
  out->set_nav(Hundredths(nav));
  out->set_exchange_margin_pct(static_cast<double>(Uniform(plan.seed, index, 31, 0, 2'000)) / 10'000);
  out->set_derivatives_exposure(Hundredths(nav / 4));
  out->set_derivatives_exposure_pct(0.25);
  out->set_derivatives_at_risk(Hundredths(nav / 50));
  out->set_derivatives_at_risk_pct(0.02);
  out->set_liquidity_ratio(static_cast<double>(Uniform(plan.seed, index, 32, 50, 300)) / 100);
  out->set_var_95(static_cast<double>(Uniform(plan.seed, index, 33, 5, 50)) / 1'000);
  out->set_var_99(static_cast<double>(Uniform(plan.seed, index, 34, 50, 90)) / 1'000);
  out->set_stress_bull(0.04);
  out->set_stress_bear(-0.07);
  out->set_return_day(static_cast<double>(Uniform(plan.seed, index, 35, -100, 100)) / 10'000);
  out->set_return_month(static_cast<double>(Uniform(plan.seed, index, 36, -500, 500)) / 10'000);
  out->set_return_year(static_cast<double>(Uniform(plan.seed, index, 37, -2'000, 3'000)) / 10'000);
  out->set_criticality_class(index % 7 == 0 ? "HIGH" : "NORMAL");
}

void GenerateNavHistory(const RowPlan& plan, int64_t index, v1::NavHistoryEntry* out) {
  out->Clear();
  const int64_t n = static_cast<int64_t>(plan.fund_ids.size());
  const int64_t open = Uniform(plan.seed, index, 40, 10'000'000'00, 5'000'000'000'00);
  out->set_fund_id(FundOf(plan, index));
  out->set_nav_date(ShiftDays(plan.date, -(index / n)));
  out->set_opening_nav(Hundredths(open));
  out->set_closing_nav(Hundredths(open + Uniform(plan.seed, index, 41, -open / 50, open / 50)));
}

}  // namespace riskcap::bench
