// SA-CCR add-on aggregation per asset class (BCBS 279 / CRE52 hedging sets). Internal to
// core/risk: ComputeSaccr partitions the trades by class and calls these.
#pragma once

#include <vector>

#include "core/risk/netting_set.h"

namespace riskcap::risk {

// A trade with its effective notional contribution: delta x adjusted notional x maturity factor.
struct TradeExposure {
  const Trade* trade = nullptr;
  double effective_notional = 0;
};

// Each takes the exposures of one asset class only and returns that class's add-on.
// IR: hedging set per currency, maturity buckets by end date, cross-bucket correlations.
double InterestRateAddOn(const std::vector<TradeExposure>& exposures, bool bucket_offset);
// FX: hedging set per currency pair, full offset within the pair.
double ForeignExchangeAddOn(const std::vector<TradeExposure>& exposures);
// Credit and equity: entity add-ons combined by a single-factor model (rho 50% / 80% for index).
double CreditAddOn(const std::vector<TradeExposure>& exposures);
double EquityAddOn(const std::vector<TradeExposure>& exposures);
// Commodity: hedging set per commodity_set, types within it combined with rho = 40%.
double CommodityAddOn(const std::vector<TradeExposure>& exposures);

}  // namespace riskcap::risk
