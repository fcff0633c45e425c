// Fund NAV (net asset value, "PL") data: the risk-metric snapshot and the daily NAV history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/date.h"
#include "core/money.h"

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

// Opening and closing NAV of one fund on one date.
struct NavHistoryEntry {
  int64_t fund_id = 0;
  Date nav_date;
  Money opening_nav;
  Money closing_nav;
  bool operator==(const NavHistoryEntry&) const = default;
};

}  // namespace riskcap
