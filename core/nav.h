// Fund NAV (net asset value, "PL") data: the risk-metric snapshot and the daily NAV history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

#include "core/date.h"
#include "core/money.h"
#include "core/row_fields.h"

namespace riskcap {

// One fund's NAV and risk metrics on a position date, as loaded by nav_snapshot.
// Percentages are ratios of NAV (0.12 = 12%).
struct NavSnapshot {
  int64_t fund_id = 0;
  Date position_date;
  Money nav;
  double exchange_margin_pct = 0;  // exchange (CCP) required margin / NAV
  Money derivatives_exposure;
  double derivatives_exposure_pct = 0;
  Money derivatives_at_risk;
  double derivatives_at_risk_pct = 0;
  double liquidity_ratio = 0;
  double var_95 = 0;  // ratio of NAV
  double var_99 = 0;
  double stress_bull = 0;
  double stress_bear = 0;
  double return_day = 0;
  double return_month = 0;
  double return_year = 0;
  std::string criticality;  // the upstream criticality class label
  bool operator==(const NavSnapshot&) const = default;
};

// Every field in canonical order, with its column of table nav_snapshots (core/row_fields.h).
template <>
struct RowFields<NavSnapshot> {
  static constexpr auto kFields = std::make_tuple(
      Field("fund_id", &NavSnapshot::fund_id),
      Field("position_date", &NavSnapshot::position_date),
      Field("nav", &NavSnapshot::nav, "nav_micros"),
      Field("exchange_margin_pct", &NavSnapshot::exchange_margin_pct),
      Field("derivatives_exposure", &NavSnapshot::derivatives_exposure,
            "derivatives_exposure_micros"),
      Field("derivatives_exposure_pct", &NavSnapshot::derivatives_exposure_pct),
      Field("derivatives_at_risk", &NavSnapshot::derivatives_at_risk,
            "derivatives_at_risk_micros"),
      Field("derivatives_at_risk_pct", &NavSnapshot::derivatives_at_risk_pct),
      Field("liquidity_ratio", &NavSnapshot::liquidity_ratio),
      Field("var_95", &NavSnapshot::var_95),
      Field("var_99", &NavSnapshot::var_99),
      Field("stress_bull", &NavSnapshot::stress_bull),
      Field("stress_bear", &NavSnapshot::stress_bear),
      Field("return_day", &NavSnapshot::return_day),
      Field("return_month", &NavSnapshot::return_month),
      Field("return_year", &NavSnapshot::return_year),
      Field("criticality", &NavSnapshot::criticality));
};
static_assert(ListsEveryMember<NavSnapshot>(),
              "RowFields<NavSnapshot> must list every member once");

// Opening and closing NAV of one fund on one date.
struct NavHistoryEntry {
  int64_t fund_id = 0;
  Date nav_date;
  Money opening_nav;
  Money closing_nav;
  bool operator==(const NavHistoryEntry&) const = default;
};

// Every field in canonical order, with its column of table nav_history (core/row_fields.h).
template <>
struct RowFields<NavHistoryEntry> {
  static constexpr auto kFields = std::make_tuple(
      Field("fund_id", &NavHistoryEntry::fund_id),
      Field("nav_date", &NavHistoryEntry::nav_date),
      Field("opening_nav", &NavHistoryEntry::opening_nav, "opening_nav_micros"),
      Field("closing_nav", &NavHistoryEntry::closing_nav, "closing_nav_micros"));
};
static_assert(ListsEveryMember<NavHistoryEntry>(),
              "RowFields<NavHistoryEntry> must list every member once");

}  // namespace riskcap
