// Fund positions as loaded by the positions and swaps jobs, with the fields risk maths needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/date.h"
#include "core/enums.h"
#include "core/money.h"

namespace riskcap {

// Maps an upstream asset type code to its description (a dimension table).
struct AssetType {
  std::string code;
  std::string description;
  bool operator==(const AssetType&) const = default;
};

// One position row of a fund in a positions batch.
struct Position {
  int64_t fund_id = 0;
  Date position_date;
  std::string asset_nickname;
  std::string isin;
  std::string asset_code;
  std::string asset_type_code;
  PositionClassification classification = PositionClassification::kOther;
  Money quantity;  // units of the asset, exact to 6 decimals (Money is the exact 6-decimal type)
  Money price;
  Money notional;
  Money market_value;
  std::optional<Money> asset_leg_balance;      // swaps only
  std::optional<Money> liability_leg_balance;  // swaps only
  // OTC risk fields; absent when the upstream does not supply them.
  std::optional<OtcAssetClass> asset_class;
  std::optional<Date> start_date;
  std::optional<Date> end_date;
  std::string direction;    // "LONG" / "SHORT" or empty
  std::string option_type;  // "CALL" / "PUT" or empty
  std::optional<double> strike;
  std::optional<double> underlying_price;
  std::string currency;  // ISO 4217
  bool operator==(const Position&) const = default;
};

}  // namespace riskcap
