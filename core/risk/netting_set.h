// Input model shared by the margin benchmarks (SA-CCR and the BCBS-IOSCO IM schedule): one
// netting set of OTC trades with its collateral terms, plus text<->enum helpers and validation.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/enums.h"

namespace riskcap::risk {

// OTHER is accepted by the IM schedule only; SA-CCR has no such class.
enum class AssetClass { kInterestRate, kForeignExchange, kCredit, kEquity, kCommodity, kOther };
enum class Direction { kLong, kShort };
enum class OptionType { kCall, kPut };
// Single-name grades AAA..CCC; IG / SG are for credit indices.
enum class CreditRating { kAAA, kAA, kA, kBBB, kBB, kB, kCCC, kIG, kSG };
// SA-CCR commodity hedging sets.
enum class CommoditySet { kEnergy, kMetals, kAgricultural, kOther };
// Which benchmark a netting set is validated for; the two need different fields.
enum class Method { kSaccr, kImSchedule };

// Terms of an option trade. Units of strike and underlying_price must match (a rate for a
// swaption, a price for an equity option); both must be positive (no shifted-lognormal delta).
struct OptionTerms {
  OptionType type = OptionType::kCall;
  bool bought = true;
  double expiry_years = 0;      // time to the latest contractual exercise date, > 0
  double strike = 0;            // K, > 0
  double underlying_price = 0;  // P, the forward price or rate of the underlying, > 0
};

// One trade. Amounts are in the caller's (netting set's) currency; times are years from the
// calculation date. Value type.
struct Trade {
  std::string id;
  AssetClass asset_class = AssetClass::kInterestRate;
  // Currency (IR), currency pair (FX), reference entity or index (credit, equity), commodity
  // type (commodity; "ELECTRICITY" takes its own factors). Keys are compared exactly.
  std::string hedging_key;
  // Trade notional; for equity and commodity, the adjusted notional (price x units). SA-CCR
  // requires >= 0 (direction carries the sign); the IM schedule uses |notional|.
  double notional = 0;
  double start_years = 0;     // S: start of the referenced period (IR, credit); < 0 means started
  double end_years = 0;       // E: end of the referenced period (IR, credit)
  double maturity_years = 0;  // M: residual maturity, latest date the contract may still be active
  double mtm = 0;             // current market value to us
  // Long or short the primary risk factor (pay-fixed swap, protection bought, long forward are
  // LONG). Ignored for options: the option type and `bought` fix the delta's sign.
  Direction direction = Direction::kLong;
  std::optional<OptionTerms> option;          // present only for options
  std::optional<CreditRating> rating;         // credit only: AAA..CCC, or IG/SG when index
  bool index = false;                         // credit / equity: an index rather than a single name
  std::optional<CommoditySet> commodity_set;  // commodity only
};

// A netting set and its margin terms. For SA-CCR, `collateral` is C: the haircut value of all net
// collateral held (variation margin plus independent amounts; negative when posted) and `nica`
// is the independent part of it. threshold, mta, nica and mpor_days matter only when margined.
struct NettingSet {
  std::string id;
  bool margined = false;
  double collateral = 0;
  double threshold = 0;
  double mta = 0;
  double nica = 0;
  int mpor_days = 10;  // margin period of risk in business days, as the caller determined it
  std::vector<Trade> trades;
};

// Canonical text (as in the JSON input) <-> enum. Parsing is exact ("IR", not "ir") and returns
// InvalidArgument listing the accepted names.
absl::StatusOr<AssetClass> ParseAssetClass(std::string_view text);
absl::StatusOr<Direction> ParseDirection(std::string_view text);
absl::StatusOr<OptionType> ParseOptionType(std::string_view text);
absl::StatusOr<CreditRating> ParseCreditRating(std::string_view text);
absl::StatusOr<CommoditySet> ParseCommoditySet(std::string_view text);

// OK when `netting_set` holds everything `method` needs; otherwise InvalidArgument naming the
// netting set, the trade and the field, e.g.
// "netting set NS1 trade T3: end_years must be >= start_years".
absl::Status ValidateNettingSet(const NettingSet& netting_set, Method method);

}  // namespace riskcap::risk

namespace riskcap {

// Name tables for core/enums.h (EnumName / ParseEnum), in declaration order.
template <>
struct EnumNames<risk::AssetClass> {
  static constexpr std::string_view kType = "asset_class";
  static constexpr auto kNames =
      std::to_array<std::string_view>({"IR", "FX", "CREDIT", "EQUITY", "COMMODITY", "OTHER"});
};
template <>
struct EnumNames<risk::Direction> {
  static constexpr std::string_view kType = "direction";
  static constexpr auto kNames = std::to_array<std::string_view>({"LONG", "SHORT"});
};
template <>
struct EnumNames<risk::OptionType> {
  static constexpr std::string_view kType = "option type";
  static constexpr auto kNames = std::to_array<std::string_view>({"CALL", "PUT"});
};
template <>
struct EnumNames<risk::CreditRating> {
  static constexpr std::string_view kType = "rating";
  static constexpr auto kNames =
      std::to_array<std::string_view>({"AAA", "AA", "A", "BBB", "BB", "B", "CCC", "IG", "SG"});
};
template <>
struct EnumNames<risk::CommoditySet> {
  static constexpr std::string_view kType = "commodity_set";
  static constexpr auto kNames =
      std::to_array<std::string_view>({"ENERGY", "METALS", "AGRICULTURAL", "OTHER"});
};

}  // namespace riskcap
