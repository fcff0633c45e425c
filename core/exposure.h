// Which funds are exposed to which origin (OTC, offshore) for a positions batch, with the measures.
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>

#include "core/date.h"
#include "core/money.h"
#include "core/row_fields.h"

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

// Every field in canonical order, with its column of table fund_exposures (core/row_fields.h).
template <>
struct RowFields<FundExposure> {
  static constexpr auto kFields = std::make_tuple(
      Field("fund_id", &FundExposure::fund_id),
      Field("position_date", &FundExposure::position_date),
      Field("otc", &FundExposure::otc),
      Field("offshore", &FundExposure::offshore),
      Field("otc_option_count", &FundExposure::otc_option_count),
      Field("otc_swap_count", &FundExposure::otc_swap_count),
      Field("offshore_fund_count", &FundExposure::offshore_fund_count),
      Field("otc_notional", &FundExposure::otc_notional, "otc_notional_micros"),
      Field("otc_market_value", &FundExposure::otc_market_value, "otc_market_value_micros"),
      Field("swap_notional", &FundExposure::swap_notional, "swap_notional_micros"),
      Field("offshore_market_value", &FundExposure::offshore_market_value,
            "offshore_market_value_micros"),
      Field("gross_exposure", &FundExposure::gross_exposure, "gross_exposure_micros"),
      Field("net_exposure", &FundExposure::net_exposure, "net_exposure_micros"),
      Field("largest_position_value", &FundExposure::largest_position_value,
            "largest_position_micros"),
      Field("nav", &FundExposure::nav, "nav_micros"),
      Field("offshore_share_of_nav", &FundExposure::offshore_share_of_nav),
      Field("largest_position_share_of_nav", &FundExposure::largest_position_share_of_nav));
};
static_assert(ListsEveryMember<FundExposure>(),
              "RowFields<FundExposure> must list every member once");

}  // namespace riskcap
