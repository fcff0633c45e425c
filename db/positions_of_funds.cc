// ListPositionsOfFunds: the funds' span of row numbers, then one range scan of positions.
#include "db/positions_of_funds.h"

#include <optional>
#include <string>
#include <utility>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/enums.h"
#include "core/status_macros.h"
#include "db/internal/database.h"
#include "db/internal/snapshot_rows.h"

namespace riskcap::db {
namespace {

// SELECT of the usual position columns for the funds in `ids` (integers, written into the text:
// one statement whatever their number) among rows [lo, hi] of the batch: a range of the primary
// key, which the planner scans by index even before the new batch has statistics (a join with
// position_fund_ranges was planned as a full scan of positions per query).
std::string SelectOfFunds(const std::string& ids) {
  std::string sql = "SELECT ";
  for (std::string_view c : absl::MakeConstSpan(kPositionColumns).subspan(2)) {
    absl::StrAppend(&sql, AbslView(c), ", ");
  }
  absl::StrAppend(&sql, "row_no FROM positions WHERE version_id = :version_id",
                  " AND row_no BETWEEN :lo AND :hi AND fund_id IN (", ids, ") ORDER BY row_no");
  return sql;
}

// The smallest range of row numbers holding every row of `ids` (each fund's rows are consecutive,
// position_fund_ranges), or nullopt when none of them has rows.
std::optional<std::pair<long long, long long>> RowRange(soci::session& s, long long version,
                                                        const std::string& ids) {
  long long lo = 0, hi = 0;
  soci::indicator found = soci::i_null, found_hi = soci::i_null;
  s << "SELECT MIN(first_row_no), MAX(last_row_no) FROM position_fund_ranges"
       " WHERE version_id = :v AND fund_id IN (" + ids + ")",
      soci::use(version), soci::into(lo, found), soci::into(hi, found_hi);
  if (found != soci::i_ok || found_hi != soci::i_ok) return std::nullopt;
  return std::make_pair(lo, hi);
}

}  // namespace

absl::StatusOr<std::vector<Position>> ListPositionsOfFunds(Store& store, int64_t version_id,
                                                           const std::vector<int64_t>& fund_ids) {
  std::string ids;
  for (int64_t f : fund_ids) absl::StrAppend(&ids, ids.empty() ? "" : ", ", f);
  const std::string sql = fund_ids.empty() ? "" : SelectOfFunds(ids);
  return store.database().Read([&](soci::session& s) -> absl::StatusOr<std::vector<Position>> {
    long long id = version_id;
    std::string kind;
    soci::indicator found = soci::i_null;
    s << "SELECT kind FROM snapshot_versions WHERE id = :id", soci::use(id),
        soci::into(kind, found);
    if (found != soci::i_ok || kind != EnumName(SnapshotKind::kPositions)) {
      return absl::NotFoundError(absl::StrCat("no POSITIONS snapshot version with id ", id));
    }
    std::vector<Position> out;
    if (fund_ids.empty()) return out;
    std::optional<std::pair<long long, long long>> range = RowRange(s, id, ids);
    if (!range) return out;
    soci::rowset<soci::row> rows =
        (s.prepare << sql, soci::use(id), soci::use(range->first), soci::use(range->second));
    for (const soci::row& row : rows) out.push_back(ReadPosition(row));
    return out;
  });
}

}  // namespace riskcap::db
