// Fund positions as loaded by the positions and swaps jobs, with the fields risk maths needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

#include "core/date.h"
#include "core/enums.h"
#include "core/money.h"
#include "core/row_fields.h"

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

// Every field in canonical order, with its column of table positions (core/row_fields.h).
template <>
struct RowFields<Position> {
  static constexpr auto kFields = std::make_tuple(
      Field("fund_id", &Position::fund_id),
      Field("position_date", &Position::position_date),
      Field("asset_nickname", &Position::asset_nickname),
      Field("isin", &Position::isin),
      Field("asset_code", &Position::asset_code),
      Field("asset_type_code", &Position::asset_type_code),
      Field("classification", &Position::classification),
      Field("quantity", &Position::quantity, "quantity_micros"),
      Field("price", &Position::price, "price_micros"),
      Field("notional", &Position::notional, "notional_micros"),
      Field("market_value", &Position::market_value, "market_value_micros"),
      Field("asset_leg_balance", &Position::asset_leg_balance, "asset_leg_micros"),
      Field("liability_leg_balance", &Position::liability_leg_balance, "liability_leg_micros"),
      Field("asset_class", &Position::asset_class),
      Field("start_date", &Position::start_date),
      Field("end_date", &Position::end_date),
      Field("direction", &Position::direction),
      Field("option_type", &Position::option_type),
      Field("strike", &Position::strike),
      Field("underlying_price", &Position::underlying_price),
      Field("currency", &Position::currency));
};
static_assert(ListsEveryMember<Position>(), "RowFields<Position> must list every member once");

}  // namespace riskcap
