// Canonical text of snapshot rows: the stable serialisation that snapshot content hashes cover.
#pragma once

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "core/exposure.h"
#include "core/nav.h"
#include "core/position.h"

namespace riskcap {

// Canonical form, version 1. A content hash is the lower-case hex SHA-256 of a batch's text.
//
// Row: one line ending in '\n', the fields in the order listed below, separated by '|':
// - integers: decimal; booleans: "0" / "1";
// - money: the integer number of micro-units ("1234.5" -> "1234500000");
// - doubles: printf "%.17g" (exact round trip), with -0 written as "0";
// - dates: "YYYY-MM-DD"; enums: their canonical name ("OTC_SWAP");
// - strings: verbatim, except '\' -> "\\", '|' -> "\|", LF -> "\n", CR -> "\r";
// - an absent optional field: empty.
//
// Batch: its rows' lines sorted by CanonicalLess — by key (fund_id, then the row's date), then by
// every other field in line order — so the text depends neither on load order nor on how an
// upload was chunked. Rows that compare equal have identical lines.
//
// Fields:
// - NavSnapshot: fund_id, position_date, nav, exchange_margin_pct, derivatives_exposure,
//   derivatives_exposure_pct, derivatives_at_risk, derivatives_at_risk_pct, liquidity_ratio,
//   var_95, var_99, stress_bull, stress_bear, return_day, return_month, return_year, criticality.
// - NavHistoryEntry: fund_id, nav_date, opening_nav, closing_nav.
// - Position: fund_id, position_date, asset_nickname, isin, asset_code, asset_type_code,
//   classification, quantity, price, notional, market_value, asset_leg_balance,
//   liability_leg_balance, asset_class, start_date, end_date, direction, option_type, strike,
//   underlying_price, currency.
// - FundExposure: fund_id, position_date, otc, offshore, otc_option_count, otc_swap_count,
//   offshore_fund_count, otc_notional, otc_market_value, swap_notional, offshore_market_value,
//   gross_exposure, net_exposure, largest_position_value, nav, offshore_share_of_nav,
//   largest_position_share_of_nav (the last three optional: migration 0004).
//
// Pure functions; safe for concurrent use.

// Appends the row's line (with its '\n') to `out`.
void AppendCanonical(const NavSnapshot& row, std::string* out);
void AppendCanonical(const NavHistoryEntry& row, std::string* out);
void AppendCanonical(const Position& row, std::string* out);
void AppendCanonical(const FundExposure& row, std::string* out);

// The batch order (see above). A strict weak order for rows with finite doubles.
bool CanonicalLess(const NavSnapshot& a, const NavSnapshot& b);
bool CanonicalLess(const NavHistoryEntry& a, const NavHistoryEntry& b);
bool CanonicalLess(const Position& a, const Position& b);
bool CanonicalLess(const FundExposure& a, const FundExposure& b);

// The row's line, '\n' included.
template <typename Row>
std::string CanonicalLine(const Row& row) {
  std::string line;
  AppendCanonical(row, &line);
  return line;
}

// The indexes of `rows` in batch order. Sorts indexes, not the rows: one size_t per row.
template <typename Row>
std::vector<size_t> CanonicalOrder(const std::vector<Row>& rows) {
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&rows](size_t a, size_t b) { return CanonicalLess(rows[a], rows[b]); });
  return order;
}

// Calls `sink(std::string_view line)` for each row's line in batch order. The extra memory is
// one size_t per row plus one line.
template <typename Row, typename Sink>
void ForEachCanonicalLine(const std::vector<Row>& rows, Sink&& sink) {
  std::string line;
  for (size_t i : CanonicalOrder(rows)) {
    line.clear();
    AppendCanonical(rows[i], &line);
    sink(std::string_view(line));
  }
}

// The whole batch text; for tests and small batches (hash large ones line by line).
template <typename Row>
std::string CanonicalBatch(const std::vector<Row>& rows) {
  std::string text;
  ForEachCanonicalLine(rows, [&text](std::string_view line) { text.append(line); });
  return text;
}

}  // namespace riskcap
