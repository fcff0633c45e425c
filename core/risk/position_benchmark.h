// The server's independent margin benchmark over a fund's stored OTC positions: each OTC option or
// swap that carries the fields SA-CCR needs becomes a trade of ONE unmargined netting set, and both
// the BCBS-IOSCO schedule IM and SA-CCR EAD are computed over that set. Pure: thread-safe, no I/O.
// Conventions (docs/rules.md, "Margin benchmark"): times are Act/365 years from the as-of date;
// the hedging key is the position's currency (IR, FX) or asset code / ISIN (equity); CREDIT and
// COMMODITY positions are excluded because positions carry no rating or commodity set.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/date.h"
#include "core/money.h"
#include "core/position.h"
#include "core/risk/netting_set.h"

namespace riskcap::risk {

struct PositionBenchmark {
  std::optional<Money> schedule_im;  // schedule net IM, rounded to cents; none when no trade
  std::optional<Money> saccr_ead;    // SA-CCR EAD, rounded to cents; none when no trade
  int32_t position_count = 0;        // OTC option / swap positions included
  int32_t excluded_count = 0;        // OTC option / swap positions left out for missing fields
};

// The trade for `position` as of `as_of`, or nullopt when it is not an OTC option or swap, or it
// lacks a field SA-CCR needs (asset class IR/FX/EQUITY, an end date after as_of, a direction, and
// for options the type, strike and underlying price).
std::optional<Trade> TradeFromPosition(const Position& position, Date as_of);

// Whether the position is an OTC derivative (option or swap) at all.
bool IsOtcDerivative(const Position& position);

// The benchmark over `positions` (any classifications; only OTC derivatives count).
// OutOfRange when a figure does not fit in Money.
absl::StatusOr<PositionBenchmark> BenchmarkPositions(absl::Span<const Position> positions,
                                                     Date as_of);

}  // namespace riskcap::risk
