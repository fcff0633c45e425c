// Row mapping of the snapshot tables: encoders and readers in column order.
#include "db/snapshot_rows.h"

#include <cstdint>
#include <optional>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "db/row_reader.h"

namespace riskcap::db {
std::string SelectFrom(std::string_view table, absl::Span<const std::string_view> columns,
                       size_t keys) {
  std::string list;
  for (std::string_view c : columns.subspan(keys)) {
    absl::StrAppend(&list, list.empty() ? "" : ", ", AbslView(c));
  }
  return absl::StrCat("SELECT ", list, " FROM ", AbslView(table));
}

void EncodeNavSnapshot(const NavSnapshot& n, RowSink& out) {
  out.Int(n.fund_id);
  out.DateValue(n.position_date);
  out.MoneyValue(n.nav);
  out.Double(n.exchange_margin_pct);
  out.MoneyValue(n.derivatives_exposure);
  out.Double(n.derivatives_exposure_pct);
  out.MoneyValue(n.derivatives_at_risk);
  out.Double(n.derivatives_at_risk_pct);
  for (double figure : {n.liquidity_ratio, n.var_95, n.var_99, n.stress_bull, n.stress_bear,
                        n.return_day, n.return_month, n.return_year}) {
    out.Double(figure);
  }
  out.Text(n.criticality);
}

NavSnapshot ReadNavSnapshot(const soci::row& row) {
  RowReader r(row);
  NavSnapshot n;
  n.fund_id = r.Int();
  n.position_date = r.DateValue();
  n.nav = r.MoneyValue();
  n.exchange_margin_pct = r.Double();
  n.derivatives_exposure = r.MoneyValue();
  n.derivatives_exposure_pct = r.Double();
  n.derivatives_at_risk = r.MoneyValue();
  n.derivatives_at_risk_pct = r.Double();
  for (double* figure : {&n.liquidity_ratio, &n.var_95, &n.var_99, &n.stress_bull, &n.stress_bear,
                         &n.return_day, &n.return_month, &n.return_year}) {
    *figure = r.Double();
  }
  n.criticality = r.Str();
  return n;
}

void EncodeNavHistory(const NavHistoryEntry& h, RowSink& out) {
  out.Int(h.fund_id);
  out.DateValue(h.nav_date);
  out.MoneyValue(h.opening_nav);
  out.MoneyValue(h.closing_nav);
}

NavHistoryEntry ReadNavHistory(const soci::row& row) {
  RowReader r(row);
  NavHistoryEntry h;
  h.fund_id = r.Int();
  h.nav_date = r.DateValue();
  h.opening_nav = r.MoneyValue();
  h.closing_nav = r.MoneyValue();
  return h;
}

void EncodePosition(const Position& p, RowSink& out) {
  auto money = [&](Money m) { out.MoneyValue(m); };
  auto date = [&](Date d) { out.DateValue(d); };
  auto number = [&](double d) { out.Double(d); };
  out.Int(p.fund_id);
  out.DateValue(p.position_date);
  for (const std::string* text : {&p.asset_nickname, &p.isin, &p.asset_code, &p.asset_type_code}) {
    out.Text(*text);
  }
  out.Enum(p.classification);
  for (Money m : {p.quantity, p.price, p.notional, p.market_value}) out.MoneyValue(m);
  out.Optional(p.asset_leg_balance, money);
  out.Optional(p.liability_leg_balance, money);
  out.Optional(p.asset_class, [&](OtcAssetClass c) { out.Enum(c); });
  out.Optional(p.start_date, date);
  out.Optional(p.end_date, date);
  out.Text(p.direction);
  out.Text(p.option_type);
  out.Optional(p.strike, number);
  out.Optional(p.underlying_price, number);
  out.Text(p.currency);
}

Position ReadPosition(const soci::row& row) {
  RowReader r(row);
  Position p;
  p.fund_id = r.Int();
  p.position_date = r.DateValue();
  for (std::string* text : {&p.asset_nickname, &p.isin, &p.asset_code, &p.asset_type_code}) {
    *text = r.Str();
  }
  p.classification = r.Enum<PositionClassification>();
  for (Money* m : {&p.quantity, &p.price, &p.notional, &p.market_value}) *m = r.MoneyValue();
  p.asset_leg_balance = r.OptMoney();
  p.liability_leg_balance = r.OptMoney();
  p.asset_class = r.OptEnum<OtcAssetClass>();
  p.start_date = r.OptDate();
  p.end_date = r.OptDate();
  p.direction = r.Str();
  p.option_type = r.Str();
  p.strike = r.OptDouble();
  p.underlying_price = r.OptDouble();
  p.currency = r.Str();
  return p;
}

void EncodeExposure(const FundExposure& e, RowSink& out) {
  out.Int(e.fund_id);
  out.DateValue(e.position_date);
  out.Bool(e.otc);
  out.Bool(e.offshore);
  for (int32_t count : {e.otc_option_count, e.otc_swap_count, e.offshore_fund_count}) {
    out.Int(count);
  }
  for (Money m : {e.otc_notional, e.otc_market_value, e.swap_notional, e.offshore_market_value,
                  e.gross_exposure, e.net_exposure, e.largest_position_value}) {
    out.MoneyValue(m);
  }
  out.Optional(e.nav, [&out](Money m) { out.MoneyValue(m); });
  out.Optional(e.offshore_share_of_nav, [&out](double d) { out.Double(d); });
  out.Optional(e.largest_position_share_of_nav, [&out](double d) { out.Double(d); });
}

FundExposure ReadExposure(const soci::row& row) {
  RowReader r(row);
  FundExposure e;
  e.fund_id = r.Int();
  e.position_date = r.DateValue();
  e.otc = r.Bool();
  e.offshore = r.Bool();
  for (int32_t* count : {&e.otc_option_count, &e.otc_swap_count, &e.offshore_fund_count}) {
    *count = static_cast<int32_t>(r.Int());
  }
  for (Money* m : {&e.otc_notional, &e.otc_market_value, &e.swap_notional, &e.offshore_market_value,
                   &e.gross_exposure, &e.net_exposure, &e.largest_position_value}) {
    *m = r.MoneyValue();
  }
  e.nav = r.OptMoney();
  e.offshore_share_of_nav = r.OptDouble();
  e.largest_position_share_of_nav = r.OptDouble();
  return e;
}

}  // namespace riskcap::db
