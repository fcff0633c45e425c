// Derives each fund's exposure (OTC / offshore flags and measures) from a positions batch.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "absl/status/statusor.h"
#include "core/exposure.h"
#include "core/position.h"

namespace riskcap {

// One FundExposure per fund that has positions, ordered by fund id. A fund is OTC-exposed when
// it holds OTC options or swaps, offshore-exposed when it holds offshore funds. Measures:
// otc_notional = Σ|notional| and otc_market_value = Σ market value over OTC options and swaps;
// swap_notional = Σ|notional| over swaps; offshore_market_value = Σ market value over offshore
// funds; gross_exposure = Σ|market value|, net_exposure = Σ market value and
// largest_position_value = max |market value| over all the fund's positions.
// OutOfRange when a sum overflows Money; InvalidArgument when positions of one fund carry
// different position dates.
absl::StatusOr<std::vector<FundExposure>> ComputeExposures(const std::vector<Position>& positions);

// The NAV of a fund on a date (from a NAV snapshot), keyed by fund id.
struct FundNav {
  Date position_date;
  Money nav;
};

// Fills the NAV-relative measures of each exposure from `navs`: nav when the fund has a NAV of
// the exposure's position date; offshore_share_of_nav = offshore_market_value / nav and
// largest_position_share_of_nav = largest_position_value / nav when that NAV is > 0. A NAV of
// another date leaves all three unset (a share of a different day's NAV would mislead).
void ApplyNavMeasures(const std::map<int64_t, FundNav>& navs, std::vector<FundExposure>& rows);

}  // namespace riskcap
