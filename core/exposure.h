// Which funds are exposed to which origin (OTC, offshore) for a positions batch, with the measures.
#pragma once

#include <cstdint>
#include <optional>

#include "core/date.h"
#include "core/money.h"

namespace riskcap {

// One fund's exposure in an exposure snapshot, derived from one positions batch.
struct FundExposure {
  int64_t fund_id = 0;
  Date position_date;
  bool otc = false;       // holds OTC options or OTC swaps
  bool offshore = false;  // holds offshore funds
  int32_t otc_option_count = 0;
  int32_t otc_swap_count = 0;
  int32_t offshore_fund_count = 0;
  Money otc_notional;
  Money otc_market_value;
  Money swap_notional;
  Money offshore_market_value;
  Money gross_exposure;  // Σ |market value| of the fund's positions
  Money net_exposure;    // Σ market value
  Money largest_position_value;  // max |market value| of a single position
  // Relative to the fund's NAV of the position date (core/exposure_calc.h ApplyNavMeasures):
  // nav absent when the fund has no NAV for that date; the shares absent also when NAV <= 0.
  std::optional<Money> nav;
  std::optional<double> offshore_share_of_nav;          // offshore_market_value / nav
  std::optional<double> largest_position_share_of_nav;  // largest_position_value / nav
  bool operator==(const FundExposure&) const = default;
};

}  // namespace riskcap
