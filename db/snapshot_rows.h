// Internal to db/: how each snapshot row struct maps to its table — the columns in insert order,
// an encoder for BulkInsert and a reader for SELECT results in the same order.
#pragma once

#include <soci/soci.h>

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "absl/types/span.h"
#include "core/exposure.h"
#include "core/nav.h"
#include "core/position.h"
#include "db/bulk_insert.h"
#include "db/store.h"

namespace riskcap::db {

class Database;

// Columns in insert order. The leading keys (version_id, and row_no for positions) are not part
// of the core structs: encoders write the values after them and reads select the columns after.
inline constexpr auto kNavSnapshotColumns = std::to_array<std::string_view>(
    {"version_id", "fund_id", "position_date", "nav_micros", "exchange_margin_pct",
     "derivatives_exposure_micros", "derivatives_exposure_pct", "derivatives_at_risk_micros",
     "derivatives_at_risk_pct", "liquidity_ratio", "var_95", "var_99", "stress_bull", "stress_bear",
     "return_day", "return_month", "return_year", "criticality"});
inline constexpr auto kNavHistoryColumns = std::to_array<std::string_view>(
    {"version_id", "fund_id", "nav_date", "opening_nav_micros", "closing_nav_micros"});
inline constexpr auto kPositionColumns = std::to_array<std::string_view>(
    {"version_id",          "row_no",           "fund_id",
     "position_date",       "asset_nickname",   "isin",
     "asset_code",          "asset_type_code",  "classification",
     "quantity_micros",     "price_micros",     "notional_micros",
     "market_value_micros", "asset_leg_micros", "liability_leg_micros",
     "asset_class",         "start_date",       "end_date",
     "direction",           "option_type",      "strike",
     "underlying_price",    "currency"});
inline constexpr auto kExposureColumns = std::to_array<std::string_view>(
    {"version_id", "fund_id", "position_date", "otc", "offshore", "otc_option_count",
     "otc_swap_count", "offshore_fund_count", "otc_notional_micros", "otc_market_value_micros",
     "swap_notional_micros", "offshore_market_value_micros", "gross_exposure_micros",
     "net_exposure_micros", "largest_position_micros", "nav_micros", "offshore_share_of_nav",
     "largest_position_share_of_nav"});

// Runs inside a load's transaction once its rows are written (e.g. to record FundRanges).
using AfterRows = std::function<absl::Status(soci::session&, const SnapshotVersion&)>;

// Appends a version of `kind` and its rows to `table` in one write transaction; `encode` writes
// a row's values after version_id, then `after` runs when given (defined in store_snapshots.cc,
// shared with store_status.cc).
absl::StatusOr<SnapshotVersion> AppendSnapshotVersion(Database& db, SnapshotKind kind,
                                                      const NewVersion& v, std::string_view table,
                                                      absl::Span<const std::string_view> columns,
                                                      size_t row_count, RowEncoder encode,
                                                      const AfterRows& after = nullptr);

// "SELECT c1, c2, ... FROM table" over the columns after the first `keys`.
std::string SelectFrom(std::string_view table, absl::Span<const std::string_view> columns,
                       size_t keys);

// Encoders write a row's values after the keys; readers read the columns SelectFrom lists.
// Readers throw std::runtime_error on values the column cannot hold (Database maps it).
void EncodeNavSnapshot(const NavSnapshot& n, RowSink& out);
NavSnapshot ReadNavSnapshot(const soci::row& row);
void EncodeNavHistory(const NavHistoryEntry& h, RowSink& out);
NavHistoryEntry ReadNavHistory(const soci::row& row);
void EncodePosition(const Position& p, RowSink& out);
Position ReadPosition(const soci::row& row);
void EncodeExposure(const FundExposure& e, RowSink& out);
FundExposure ReadExposure(const soci::row& row);

}  // namespace riskcap::db
