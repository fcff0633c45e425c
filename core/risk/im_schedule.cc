// BCBS-IOSCO standardised initial-margin schedule.
#include "core/risk/im_schedule.h"

#include <algorithm>
#include <cmath>

#include "core/status_macros.h"

namespace riskcap::risk {
namespace {

// Rates as fractions of notional, by maturity bucket [0-2], (2-5], (5+ years.
constexpr double kCreditRates[] = {0.02, 0.05, 0.10};
constexpr double kInterestRateRates[] = {0.01, 0.02, 0.04};
constexpr double kCommodityRate = 0.15;
constexpr double kEquityRate = 0.15;
constexpr double kForeignExchangeRate = 0.06;
constexpr double kOtherRate = 0.15;
// Net standardised IM = kGrossWeight x gross + (1 - kGrossWeight) x NGR x gross.
constexpr double kGrossWeight = 0.4;

size_t MaturityBucket(double maturity_years) {
  if (maturity_years <= 2) return 0;
  if (maturity_years <= 5) return 1;
  return 2;
}

}  // namespace

double ImScheduleRate(const Trade& trade) {
  switch (trade.asset_class) {
    case AssetClass::kInterestRate:
      return kInterestRateRates[MaturityBucket(trade.maturity_years)];
    case AssetClass::kCredit:
      return kCreditRates[MaturityBucket(trade.maturity_years)];
    case AssetClass::kForeignExchange:
      return kForeignExchangeRate;
    case AssetClass::kEquity:
      return kEquityRate;
    case AssetClass::kCommodity:
      return kCommodityRate;
    case AssetClass::kOther:
      break;
  }
  return kOtherRate;
}

absl::StatusOr<ImScheduleResult> ComputeImSchedule(const NettingSet& netting_set) {
  RETURN_IF_ERROR(ValidateNettingSet(netting_set, Method::kImSchedule));
  ImScheduleResult result;
  result.id = netting_set.id;
  double net_value = 0;
  for (const Trade& trade : netting_set.trades) {
    result.gross_im += std::abs(trade.notional) * ImScheduleRate(trade);
    result.gross_replacement_cost += std::max(trade.mtm, 0.0);
    net_value += trade.mtm;
  }
  result.net_replacement_cost = std::max(net_value, 0.0);
  result.ngr = result.gross_replacement_cost > 0
                   ? result.net_replacement_cost / result.gross_replacement_cost
                   : 1.0;
  result.net_im =
      kGrossWeight * result.gross_im + (1 - kGrossWeight) * result.ngr * result.gross_im;
  return result;
}

}  // namespace riskcap::risk
