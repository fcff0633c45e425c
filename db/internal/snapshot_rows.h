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
#include "core/row_fields.h"
#include "db/internal/bulk_insert.h"
#include "db/store.h"

namespace riskcap::db {

class Database;

// A snapshot table's columns in insert order: its leading keys, which are not part of the row
// struct (version_id, and row_no for positions), then the columns of the row type's field list
// (core/row_fields.h).
template <typename Row, size_t Keys>
constexpr std::array<std::string_view, Keys + kFieldCount<Row>> TableColumns(
    const std::array<std::string_view, Keys>& keys) {
  std::array<std::string_view, Keys + kFieldCount<Row>> out{};
  constexpr auto fields = FieldColumns<Row>();
  for (size_t i = 0; i < Keys; ++i) out[i] = keys[i];
  for (size_t i = 0; i < fields.size(); ++i) out[Keys + i] = fields[i];
  return out;
}

inline constexpr auto kNavSnapshotColumns =
    TableColumns<NavSnapshot>(std::to_array<std::string_view>({"version_id"}));
inline constexpr auto kNavHistoryColumns =
    TableColumns<NavHistoryEntry>(std::to_array<std::string_view>({"version_id"}));
inline constexpr auto kPositionColumns =
    TableColumns<Position>(std::to_array<std::string_view>({"version_id", "row_no"}));
inline constexpr auto kExposureColumns =
    TableColumns<FundExposure>(std::to_array<std::string_view>({"version_id"}));

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

// Encoders write a row's values after the keys; readers read the columns SelectFrom lists. Both
// follow the row type's field list, each field by its type: integers and booleans (0/1) as
// integers, money as micro-units, dates as "YYYY-MM-DD", enums by name, an absent optional as
// NULL. Readers throw std::runtime_error on values the column cannot hold (Database maps it).
void EncodeNavSnapshot(const NavSnapshot& n, RowSink& out);
NavSnapshot ReadNavSnapshot(const soci::row& row);
void EncodeNavHistory(const NavHistoryEntry& h, RowSink& out);
NavHistoryEntry ReadNavHistory(const soci::row& row);
void EncodePosition(const Position& p, RowSink& out);
Position ReadPosition(const soci::row& row);
void EncodeExposure(const FundExposure& e, RowSink& out);
FundExposure ReadExposure(const soci::row& row);

}  // namespace riskcap::db
