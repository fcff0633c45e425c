// ListPositionsOfFunds: one join of position_fund_ranges and positions for a set of funds.
#include "db/positions_of_funds.h"

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/enums.h"
#include "core/status_macros.h"
#include "db/database.h"
#include "db/snapshot_rows.h"

namespace riskcap::db {
namespace {

// SELECT of the usual position columns for the funds in `ids` (integers, written into the text:
// one statement whatever their number). Each fund's rows are one range of the primary key
// (position_fund_ranges), as in Store::ListPositions.
std::string SelectOfFunds(const std::vector<int64_t>& fund_ids) {
  std::string ids;
  for (int64_t f : fund_ids) absl::StrAppend(&ids, ids.empty() ? "" : ", ", f);
  std::string sql = "SELECT ";
  for (std::string_view c : absl::MakeConstSpan(kPositionColumns).subspan(2)) {
    absl::StrAppend(&sql, "p.", AbslView(c), ", ");
  }
  absl::StrAppend(&sql, "p.row_no FROM position_fund_ranges r JOIN positions p",
                  " ON p.version_id = r.version_id",
                  " AND p.row_no BETWEEN r.first_row_no AND r.last_row_no",
                  " WHERE r.version_id = :version_id AND r.fund_id IN (", ids, ")",
                  " AND p.fund_id = r.fund_id ORDER BY p.row_no");
  return sql;
}

}  // namespace

absl::StatusOr<std::vector<Position>> ListPositionsOfFunds(Store& store, int64_t version_id,
                                                           const std::vector<int64_t>& fund_ids) {
  const std::string sql = fund_ids.empty() ? "" : SelectOfFunds(fund_ids);
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
    soci::rowset<soci::row> rows = (s.prepare << sql, soci::use(id));
    for (const soci::row& row : rows) out.push_back(ReadPosition(row));
    return out;
  });
}

}  // namespace riskcap::db
