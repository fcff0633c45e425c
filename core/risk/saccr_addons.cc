// SA-CCR add-on aggregation per asset class. Ordered maps keep the summation order, and so the
// last bits of every figure, independent of hashing: results must be reproducible.
#include "core/risk/saccr_addons.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>

#include "core/risk/saccr.h"

namespace riskcap::risk {
namespace {

constexpr double kCreditSingleCorrelation = 0.5;
constexpr double kCreditIndexCorrelation = 0.8;
constexpr double kEquitySingleCorrelation = 0.5;
constexpr double kEquityIndexCorrelation = 0.8;
constexpr double kCommodityCorrelation = 0.4;

// An entity's (or commodity type's) add-on and its correlation with the systematic factor.
struct FactorLoading {
  double addon = 0;
  double correlation = 0;
};

// sqrt((sum rho_k A_k)^2 + sum (1 - rho_k^2) A_k^2): the single-factor model of CRE52.
template <typename Map>
double SingleFactorAggregate(const Map& loadings) {
  double systematic = 0;
  double idiosyncratic = 0;
  for (const auto& [key, loading] : loadings) {
    systematic += loading.correlation * loading.addon;
    idiosyncratic +=
        (1 - loading.correlation * loading.correlation) * loading.addon * loading.addon;
  }
  return std::sqrt(systematic * systematic + idiosyncratic);
}

// SF x delta x d x MF of one trade.
double TradeAddOn(const TradeExposure& exposure) {
  return SupervisoryFactor(*exposure.trade) * exposure.effective_notional;
}

// Buckets by end date E: (..1], (1..5], (5..) years.
size_t MaturityBucket(double end_years) {
  if (end_years <= 1) return 0;
  if (end_years <= 5) return 1;
  return 2;
}

double CombineBuckets(const std::array<double, 3>& d, bool bucket_offset) {
  if (!bucket_offset) return std::abs(d[0]) + std::abs(d[1]) + std::abs(d[2]);
  double square = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + 1.4 * d[0] * d[1] + 1.4 * d[1] * d[2] +
                  0.6 * d[0] * d[2];
  return std::sqrt(std::max(square, 0.0));  // >= 0 mathematically; guards rounding
}

// Credit and equity share the entity-level model; only the correlations differ.
double EntityAddOn(const std::vector<TradeExposure>& exposures, double single_correlation,
                   double index_correlation) {
  std::map<std::pair<bool, std::string>, FactorLoading> entities;
  for (const TradeExposure& e : exposures) {
    FactorLoading& entity = entities[{e.trade->index, e.trade->hedging_key}];
    entity.addon += TradeAddOn(e);
    entity.correlation = e.trade->index ? index_correlation : single_correlation;
  }
  return SingleFactorAggregate(entities);
}

}  // namespace

double InterestRateAddOn(const std::vector<TradeExposure>& exposures, bool bucket_offset) {
  std::map<std::string, std::array<double, 3>> currencies;  // SF x effective notional per bucket
  for (const TradeExposure& e : exposures) {
    std::array<double, 3>& buckets = currencies.try_emplace(e.trade->hedging_key).first->second;
    buckets[MaturityBucket(e.trade->end_years)] += TradeAddOn(e);
  }
  double addon = 0;
  for (const auto& [currency, buckets] : currencies)
    addon += CombineBuckets(buckets, bucket_offset);
  return addon;
}

double ForeignExchangeAddOn(const std::vector<TradeExposure>& exposures) {
  std::map<std::string, double> pairs;
  for (const TradeExposure& e : exposures) pairs[e.trade->hedging_key] += TradeAddOn(e);
  double addon = 0;
  for (const auto& [pair, net] : pairs) addon += std::abs(net);
  return addon;
}

double CreditAddOn(const std::vector<TradeExposure>& exposures) {
  return EntityAddOn(exposures, kCreditSingleCorrelation, kCreditIndexCorrelation);
}

double EquityAddOn(const std::vector<TradeExposure>& exposures) {
  return EntityAddOn(exposures, kEquitySingleCorrelation, kEquityIndexCorrelation);
}

double CommodityAddOn(const std::vector<TradeExposure>& exposures) {
  std::map<CommoditySet, std::map<std::string, FactorLoading>> sets;
  for (const TradeExposure& e : exposures) {
    CommoditySet set = e.trade->commodity_set.value_or(CommoditySet::kOther);  // validated present
    FactorLoading& type = sets[set][e.trade->hedging_key];
    type.addon += TradeAddOn(e);
    type.correlation = kCommodityCorrelation;
  }
  double addon = 0;
  for (const auto& [set, types] : sets) addon += SingleFactorAggregate(types);
  return addon;
}

}  // namespace riskcap::risk
