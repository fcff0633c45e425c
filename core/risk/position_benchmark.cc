// Position -> trade mapping and the one-netting-set benchmark of a fund's OTC positions.
#include "core/risk/position_benchmark.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/risk/im_schedule.h"
#include "core/risk/saccr.h"
#include "core/status_macros.h"

namespace riskcap::risk {
namespace {

constexpr double kDaysPerYear = 365.0;
// Money holds int64 micro-units; anything beyond ~9.2e12 units cannot be stored.
constexpr double kMaxUnits = 9.0e12;

double Years(Date from, Date to) { return static_cast<double>(to - from) / kDaysPerYear; }

std::optional<AssetClass> SaccrClass(OtcAssetClass c) {
  switch (c) {
    case OtcAssetClass::kInterestRate: return AssetClass::kInterestRate;
    case OtcAssetClass::kFx: return AssetClass::kForeignExchange;
    case OtcAssetClass::kEquity: return AssetClass::kEquity;
    case OtcAssetClass::kCredit:     // no rating on positions
    case OtcAssetClass::kCommodity:  // no commodity set on positions
      return std::nullopt;
  }
  return std::nullopt;
}

std::string HedgingKey(const Position& p, AssetClass c) {
  if (c == AssetClass::kEquity) return p.asset_code.empty() ? p.isin : p.asset_code;
  return p.currency;
}

absl::StatusOr<Money> ToMoney(double value) {
  if (!std::isfinite(value) || std::fabs(value) > kMaxUnits) {
    return absl::OutOfRangeError(absl::StrCat("benchmark figure ", value, " does not fit in money"));
  }
  return Money::FromMicros(std::llround(value * Money::kMicrosPerUnit)).RoundToCents();
}

}  // namespace

bool IsOtcDerivative(const Position& p) {
  return p.classification == PositionClassification::kOtcOption ||
         p.classification == PositionClassification::kOtcSwap;
}

std::optional<Trade> TradeFromPosition(const Position& p, Date as_of) {
  if (!IsOtcDerivative(p) || !p.asset_class || !p.end_date || *p.end_date <= as_of) {
    return std::nullopt;
  }
  std::optional<AssetClass> asset_class = SaccrClass(*p.asset_class);
  if (!asset_class) return std::nullopt;
  auto direction = ParseDirection(p.direction);
  if (!direction.ok()) return std::nullopt;
  Trade t;
  t.id = p.asset_code.empty() ? p.asset_nickname : p.asset_code;
  if (t.id.empty()) t.id = "position";
  t.asset_class = *asset_class;
  t.hedging_key = HedgingKey(p, *asset_class);
  if (t.hedging_key.empty()) return std::nullopt;
  t.notional = std::fabs(p.notional.ToDouble());
  t.start_years = p.start_date ? Years(as_of, *p.start_date) : 0;
  t.end_years = Years(as_of, *p.end_date);
  t.maturity_years = t.end_years;
  t.mtm = p.market_value.ToDouble();
  t.direction = *direction;
  if (p.classification == PositionClassification::kOtcOption) {
    auto type = ParseOptionType(p.option_type);
    if (!type.ok() || !p.strike || !p.underlying_price) return std::nullopt;
    // A LONG option position is a bought option.
    t.option = OptionTerms{*type, *direction == Direction::kLong, t.maturity_years, *p.strike,
                           *p.underlying_price};
  }
  NettingSet probe;
  probe.id = "probe";
  probe.trades.push_back(t);
  if (!ValidateNettingSet(probe, Method::kSaccr).ok()) return std::nullopt;
  return t;
}

absl::StatusOr<PositionBenchmark> BenchmarkPositions(absl::Span<const Position> positions,
                                                     Date as_of) {
  PositionBenchmark out;
  NettingSet set;  // one unmargined netting set
  set.id = "fund";
  for (const Position& p : positions) {
    if (!IsOtcDerivative(p)) continue;
    std::optional<Trade> trade = TradeFromPosition(p, as_of);
    if (!trade) {
      ++out.excluded_count;
      continue;
    }
    trade->id = absl::StrCat(trade->id, "#", set.trades.size() + 1);  // unique within the set
    set.trades.push_back(std::move(*trade));
  }
  out.position_count = static_cast<int32_t>(set.trades.size());
  if (set.trades.empty()) return out;
  ASSIGN_OR_RETURN(ImScheduleResult schedule, ComputeImSchedule(set));
  ASSIGN_OR_RETURN(SaccrResult saccr, ComputeSaccr(set));
  ASSIGN_OR_RETURN(out.schedule_im, ToMoney(schedule.net_im));
  ASSIGN_OR_RETURN(out.saccr_ead, ToMoney(saccr.ead));
  return out;
}

}  // namespace riskcap::risk
