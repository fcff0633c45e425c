// SA-CCR trade-level quantities (supervisory duration, delta, maturity factor, factors), the
// replacement cost, the multiplier and the netting-set EAD. Add-on aggregation: saccr_addons.cc.
#include "core/risk/saccr.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "core/risk/saccr_addons.h"
#include "core/status_macros.h"

namespace riskcap::risk {
namespace {

constexpr double kSupervisoryDiscountRate = 0.05;  // in the supervisory duration

// Supervisory factors (BCBS 279 / CRE52 supervisory parameter table), as fractions.
constexpr double kInterestRateFactor = 0.005;
constexpr double kForeignExchangeFactor = 0.04;
constexpr double kEquitySingleFactor = 0.32;
constexpr double kEquityIndexFactor = 0.20;
constexpr double kElectricityFactor = 0.40;
constexpr double kCommodityFactor = 0.18;  // oil/gas, metals, agricultural, other
// Indexed by CreditRating: AAA, AA, A, BBB, BB, B, CCC, IG, SG.
constexpr std::array<double, 9> kCreditFactors = {0.0038, 0.0038, 0.0042, 0.0054, 0.0106,
                                                  0.016,  0.06,   0.0038, 0.0106};

// Supervisory option volatilities.
constexpr double kInterestRateVolatility = 0.50;
constexpr double kForeignExchangeVolatility = 0.15;
constexpr double kCreditSingleVolatility = 1.00;
constexpr double kCreditIndexVolatility = 0.80;
constexpr double kEquitySingleVolatility = 1.20;
constexpr double kEquityIndexVolatility = 0.75;
constexpr double kElectricityVolatility = 1.50;
constexpr double kCommodityVolatility = 0.70;

double StandardNormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

bool IsElectricity(const Trade& trade) { return trade.hedging_key == "ELECTRICITY"; }

size_t ClassIndex(AssetClass asset_class) { return static_cast<size_t>(asset_class); }

}  // namespace

double SupervisoryDuration(double start_years, double end_years) {
  double s = std::max(start_years, 0.0);
  double e = std::max(end_years, kMinimumHorizonYears);
  return (std::exp(-kSupervisoryDiscountRate * s) - std::exp(-kSupervisoryDiscountRate * e)) /
         kSupervisoryDiscountRate;
}

double AdjustedNotional(const Trade& trade) {
  if (trade.asset_class == AssetClass::kInterestRate || trade.asset_class == AssetClass::kCredit) {
    return trade.notional * SupervisoryDuration(trade.start_years, trade.end_years);
  }
  return trade.notional;
}

double SupervisoryDelta(const Trade& trade) {
  if (!trade.option.has_value()) return trade.direction == Direction::kLong ? 1.0 : -1.0;
  const OptionTerms& o = *trade.option;
  double sigma = SupervisoryOptionVolatility(trade);
  double sigma_root_t = sigma * std::sqrt(o.expiry_years);
  double d1 = (std::log(o.underlying_price / o.strike) + 0.5 * sigma * sigma * o.expiry_years) /
              sigma_root_t;
  if (o.type == OptionType::kCall) {
    return o.bought ? StandardNormalCdf(d1) : -StandardNormalCdf(d1);
  }
  return o.bought ? -StandardNormalCdf(-d1) : StandardNormalCdf(-d1);
}

double MaturityFactor(const NettingSet& netting_set, const Trade& trade) {
  if (netting_set.margined) return 1.5 * std::sqrt(netting_set.mpor_days / kBusinessDaysPerYear);
  double horizon = std::clamp(trade.maturity_years, kMinimumHorizonYears, 1.0);
  return std::sqrt(horizon / 1.0);
}

double SupervisoryFactor(const Trade& trade) {
  switch (trade.asset_class) {
    case AssetClass::kInterestRate:
      return kInterestRateFactor;
    case AssetClass::kForeignExchange:
      return kForeignExchangeFactor;
    case AssetClass::kCredit:
      // Validation requires a rating; the most punitive grade stands in should a caller skip it.
      return kCreditFactors[static_cast<size_t>(trade.rating.value_or(CreditRating::kCCC))];
    case AssetClass::kEquity:
      return trade.index ? kEquityIndexFactor : kEquitySingleFactor;
    case AssetClass::kCommodity:
      return IsElectricity(trade) ? kElectricityFactor : kCommodityFactor;
    case AssetClass::kOther:
      break;
  }
  return 0;  // OTHER is rejected by validation before any SA-CCR figure is computed
}

double SupervisoryOptionVolatility(const Trade& trade) {
  switch (trade.asset_class) {
    case AssetClass::kInterestRate:
      return kInterestRateVolatility;
    case AssetClass::kForeignExchange:
      return kForeignExchangeVolatility;
    case AssetClass::kCredit:
      return trade.index ? kCreditIndexVolatility : kCreditSingleVolatility;
    case AssetClass::kEquity:
      return trade.index ? kEquityIndexVolatility : kEquitySingleVolatility;
    case AssetClass::kCommodity:
      return IsElectricity(trade) ? kElectricityVolatility : kCommodityVolatility;
    case AssetClass::kOther:
      break;
  }
  return kCommodityVolatility;  // unreachable after validation; any positive value keeps d1 finite
}

double ReplacementCost(const NettingSet& netting_set) {
  double value = 0;
  for (const Trade& trade : netting_set.trades) value += trade.mtm;
  double net = value - netting_set.collateral;
  if (!netting_set.margined) return std::max(net, 0.0);
  double uncalled = netting_set.threshold + netting_set.mta - netting_set.nica;
  return std::max({net, uncalled, 0.0});
}

double PfeMultiplier(double value_minus_collateral, double addon_aggregate) {
  if (addon_aggregate <= 0) return 1.0;  // PFE is 0 whatever the multiplier
  double scaled = value_minus_collateral / (2 * (1 - kSaccrMultiplierFloor) * addon_aggregate);
  return std::min(1.0, kSaccrMultiplierFloor + (1 - kSaccrMultiplierFloor) * std::exp(scaled));
}

absl::StatusOr<SaccrResult> ComputeSaccr(const NettingSet& netting_set,
                                         const SaccrOptions& options) {
  RETURN_IF_ERROR(ValidateNettingSet(netting_set, Method::kSaccr));
  std::array<std::vector<TradeExposure>, 5> by_class;  // IR, FX, credit, equity, commodity
  double value = 0;
  for (const Trade& trade : netting_set.trades) {
    double effective =
        SupervisoryDelta(trade) * AdjustedNotional(trade) * MaturityFactor(netting_set, trade);
    by_class[ClassIndex(trade.asset_class)].push_back({&trade, effective});
    value += trade.mtm;
  }
  SaccrResult result;
  result.id = netting_set.id;
  result.replacement_cost = ReplacementCost(netting_set);
  AddOnByClass& addon = result.addon;
  addon.interest_rate =
      InterestRateAddOn(by_class[ClassIndex(AssetClass::kInterestRate)], options.ir_bucket_offset);
  addon.foreign_exchange = ForeignExchangeAddOn(by_class[ClassIndex(AssetClass::kForeignExchange)]);
  addon.credit = CreditAddOn(by_class[ClassIndex(AssetClass::kCredit)]);
  addon.equity = EquityAddOn(by_class[ClassIndex(AssetClass::kEquity)]);
  addon.commodity = CommodityAddOn(by_class[ClassIndex(AssetClass::kCommodity)]);
  result.addon_aggregate =
      addon.interest_rate + addon.foreign_exchange + addon.credit + addon.equity + addon.commodity;
  result.multiplier = PfeMultiplier(value - netting_set.collateral, result.addon_aggregate);
  result.pfe = result.multiplier * result.addon_aggregate;
  result.ead = kSaccrAlpha * (result.replacement_cost + result.pfe);
  return result;
}

}  // namespace riskcap::risk
