// Parsing and validation of the margin-benchmark input model.
#include "core/risk/netting_set.h"

#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"

namespace riskcap::risk {
namespace {

using NamedValue = std::pair<std::string_view, double>;

// False for values cast from out-of-range integers (e.g. a bad enum read from storage).
template <typename E>
bool IsKnown(E value) {
  return static_cast<size_t>(value) < EnumNames<E>::kNames.size();
}

absl::Status SetError(const NettingSet& ns, std::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("netting set ", AbslView(ns.id), ": ", AbslView(message)));
}

absl::Status TradeError(const NettingSet& ns, size_t index, std::string_view message) {
  const Trade& trade = ns.trades[index];
  std::string name = trade.id.empty() ? absl::StrCat("#", index + 1) : trade.id;
  return absl::InvalidArgumentError(
      absl::StrCat("netting set ", AbslView(ns.id), " trade ", name, ": ", AbslView(message)));
}

// The first non-finite value's name, or empty.
std::string_view FirstNonFinite(std::initializer_list<NamedValue> values) {
  for (const auto& [name, value] : values) {
    if (!std::isfinite(value)) return name;
  }
  return {};
}

absl::Status ValidateSetTerms(const NettingSet& ns, Method method) {
  if (ns.id.empty()) return absl::InvalidArgumentError("netting set id must not be empty");
  std::string_view bad = FirstNonFinite({{"collateral", ns.collateral},
                                         {"threshold", ns.threshold},
                                         {"mta", ns.mta},
                                         {"nica", ns.nica}});
  if (!bad.empty()) return SetError(ns, absl::StrCat(AbslView(bad), " must be a finite number"));
  if (ns.threshold < 0) return SetError(ns, "threshold must be >= 0");
  if (ns.mta < 0) return SetError(ns, "mta must be >= 0");
  if (method == Method::kSaccr && ns.margined && ns.mpor_days <= 0) {
    return SetError(ns, "mpor_days must be > 0 for a margined netting set");
  }
  return absl::OkStatus();
}

absl::Status ValidateOption(const NettingSet& ns, size_t i) {
  const OptionTerms& option = *ns.trades[i].option;
  if (!IsKnown(option.type)) return TradeError(ns, i, "option type is not CALL or PUT");
  std::string_view bad = FirstNonFinite({{"option expiry_years", option.expiry_years},
                                         {"option strike", option.strike},
                                         {"option underlying_price", option.underlying_price}});
  if (!bad.empty())
    return TradeError(ns, i, absl::StrCat(AbslView(bad), " must be a finite number"));
  if (option.expiry_years <= 0) return TradeError(ns, i, "option expiry_years must be > 0");
  if (option.strike <= 0) return TradeError(ns, i, "option strike must be > 0");
  if (option.underlying_price <= 0) {
    return TradeError(ns, i, "option underlying_price must be > 0");
  }
  return absl::OkStatus();
}

// Checks every method relies on: identity, finite numbers, known enums, a usable maturity.
absl::Status ValidateCommon(const NettingSet& ns, size_t i) {
  const Trade& t = ns.trades[i];
  if (t.id.empty()) return TradeError(ns, i, "id must not be empty");
  if (!IsKnown(t.asset_class)) return TradeError(ns, i, "asset_class is not a known asset class");
  if (!IsKnown(t.direction)) return TradeError(ns, i, "direction is not LONG or SHORT");
  std::string_view bad = FirstNonFinite({{"notional", t.notional},
                                         {"start_years", t.start_years},
                                         {"end_years", t.end_years},
                                         {"maturity_years", t.maturity_years},
                                         {"mtm", t.mtm}});
  if (!bad.empty())
    return TradeError(ns, i, absl::StrCat(AbslView(bad), " must be a finite number"));
  if (t.maturity_years < 0) return TradeError(ns, i, "maturity_years must be >= 0");
  if (t.option.has_value()) RETURN_IF_ERROR(ValidateOption(ns, i));
  return absl::OkStatus();
}

absl::Status ValidateCreditFields(const NettingSet& ns, size_t i) {
  const Trade& t = ns.trades[i];
  if (!t.rating.has_value()) return TradeError(ns, i, "rating is required for CREDIT");
  if (!IsKnown(*t.rating)) return TradeError(ns, i, "rating is not a known rating");
  bool index_grade = *t.rating == CreditRating::kIG || *t.rating == CreditRating::kSG;
  if (t.index && !index_grade)
    return TradeError(ns, i, "rating of a credit index must be IG or SG");
  if (!t.index && index_grade) {
    return TradeError(ns, i, "rating of a single name must be one of AAA, AA, A, BBB, BB, B, CCC");
  }
  return absl::OkStatus();
}

// Fields SA-CCR needs beyond the common ones.
absl::Status ValidateSaccrFields(const NettingSet& ns, size_t i) {
  const Trade& t = ns.trades[i];
  if (t.asset_class == AssetClass::kOther) {
    return TradeError(ns, i, "asset_class OTHER is not covered by SA-CCR");
  }
  if (t.hedging_key.empty()) return TradeError(ns, i, "hedging_key must not be empty");
  if (t.notional < 0) {
    return TradeError(ns, i, "notional must be >= 0 for SA-CCR (direction carries the sign)");
  }
  if (t.asset_class == AssetClass::kInterestRate || t.asset_class == AssetClass::kCredit) {
    if (t.end_years < 0) return TradeError(ns, i, "end_years must be >= 0");
    if (t.end_years < t.start_years) return TradeError(ns, i, "end_years must be >= start_years");
  }
  if (t.asset_class == AssetClass::kCredit) RETURN_IF_ERROR(ValidateCreditFields(ns, i));
  if (t.asset_class == AssetClass::kCommodity) {
    if (!t.commodity_set.has_value()) {
      return TradeError(ns, i, "commodity_set is required for COMMODITY");
    }
    if (!IsKnown(*t.commodity_set)) return TradeError(ns, i, "commodity_set is not a known set");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AssetClass> ParseAssetClass(std::string_view text) {
  return ParseEnum<AssetClass>(text);
}
absl::StatusOr<Direction> ParseDirection(std::string_view text) {
  return ParseEnum<Direction>(text);
}
absl::StatusOr<OptionType> ParseOptionType(std::string_view text) {
  return ParseEnum<OptionType>(text);
}
absl::StatusOr<CreditRating> ParseCreditRating(std::string_view text) {
  return ParseEnum<CreditRating>(text);
}
absl::StatusOr<CommoditySet> ParseCommoditySet(std::string_view text) {
  return ParseEnum<CommoditySet>(text);
}

absl::Status ValidateNettingSet(const NettingSet& netting_set, Method method) {
  RETURN_IF_ERROR(ValidateSetTerms(netting_set, method));
  absl::flat_hash_set<std::string> seen_ids;
  for (size_t i = 0; i < netting_set.trades.size(); ++i) {
    RETURN_IF_ERROR(ValidateCommon(netting_set, i));
    if (!seen_ids.insert(netting_set.trades[i].id).second) {
      return TradeError(netting_set, i, "id is used by an earlier trade of this netting set");
    }
    if (method == Method::kSaccr) RETURN_IF_ERROR(ValidateSaccrFields(netting_set, i));
  }
  return absl::OkStatus();
}

}  // namespace riskcap::risk
