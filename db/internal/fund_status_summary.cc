// The summary's reads and the stored counts' writes (fund_status_summary.h).
#include "db/internal/fund_status_summary.h"

#include <array>
#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "core/status_macros.h"
#include "db/internal/bulk_insert.h"
#include "db/internal/row_reader.h"

namespace riskcap::db {
namespace {

using rules::FundStatusRow;

// fund_status_counts' columns; fund_status_totals has the same without manager_id.
constexpr auto kCountColumns = std::to_array<std::string_view>(
    {"version_id", "manager_id", "regulatory_class", "consolidated_exposure", "deadline_status",
     "validation_status", "limit_status", "stale", "funds", "max_utilisation",
     "max_utilisation_fund_id"});
constexpr auto kTotalColumns = std::to_array<std::string_view>(
    {"version_id", "regulatory_class", "consolidated_exposure", "deadline_status",
     "validation_status", "limit_status", "stale", "funds", "max_utilisation",
     "max_utilisation_fund_id"});

// A stored count's key after version_id: the manager (0 in a total), then
// FundStatusSummary::Group's statuses.
using CountKey = std::tuple<int64_t, RegulatoryClass, rules::ConsolidatedExposure,
                            rules::DeadlineStatus, rules::ValidationStatus, rules::LimitStatus,
                            bool>;

struct Count {
  int64_t funds = 0;
  std::optional<double> max_utilisation;
  int64_t max_utilisation_fund_id = 0;

  // The summary's order: highest utilisation first, then the lowest fund id. A NaN counts as no
  // utilisation, as SQLite stores it (NULL).
  void Add(const FundStatusRow& row) {
    ++funds;
    const std::optional<double>& u = row.risk.utilisation;
    if (!u || std::isnan(*u)) return;
    if (!max_utilisation || *u > *max_utilisation ||
        (*u == *max_utilisation && row.fund_id() < max_utilisation_fund_id)) {
      max_utilisation = u;
      max_utilisation_fund_id = row.fund_id();
    }
  }
};

// Per manager, or over every manager (`per_manager` false: the key's manager is 0).
std::vector<std::pair<CountKey, Count>> CountRows(const std::vector<FundStatusRow>& rows,
                                                  bool per_manager) {
  std::map<CountKey, Count> counts;
  for (const FundStatusRow& row : rows) {
    counts[CountKey(per_manager ? row.manager_id : 0, row.regulatory_class,
                    row.status.consolidated_exposure, row.status.deadline_status,
                    row.status.validation_status, row.risk.limit_status, row.risk.stale)]
        .Add(row);
  }
  return {counts.begin(), counts.end()};
}

// Writes `counts` of version `version_id` to fund_status_counts, or to fund_status_totals when
// they are over every manager (per_manager false in CountRows).
absl::Status WriteCounts(Backend backend, soci::session& s, int64_t version_id,
                         const std::vector<std::pair<CountKey, Count>>& counts, bool per_manager) {
  return BulkInsert(
      backend, s, per_manager ? "fund_status_counts" : "fund_status_totals",
      per_manager ? absl::Span<const std::string_view>(kCountColumns)
                  : absl::Span<const std::string_view>(kTotalColumns),
      counts.size(), [&](size_t i, RowSink& out) {
        const auto& [key, count] = counts[i];
        const auto& [manager, klass, exposure, deadline, validation, limit, stale] = key;
        out.Int(version_id);
        if (per_manager) out.Int(manager);
        out.Enum(klass);
        out.Enum(exposure);
        out.Enum(deadline);
        out.Enum(validation);
        out.Enum(limit);
        out.Bool(stale);
        out.Int(count.funds);
        out.Optional(count.max_utilisation, [&](double u) { out.Double(u); });
        if (count.max_utilisation) out.Int(count.max_utilisation_fund_id);
        else out.Null();
      });
}

// Where the summary's groups and highest utilisation are read from.
struct Source {
  const char* table;
  const char* funds;        // a group's number of funds
  const char* utilisation;  // a row's (highest) utilisation
  const char* fund_id;      // the fund that has it
};
constexpr Source kStoredCounts{"fund_status_counts", "CAST(SUM(funds) AS BIGINT)",
                               "max_utilisation", "max_utilisation_fund_id"};
constexpr Source kStoredTotals{"fund_status_totals", "CAST(SUM(funds) AS BIGINT)",
                               "max_utilisation", "max_utilisation_fund_id"};
constexpr Source kEveryFund{"fund_status", "COUNT(*)", "utilisation", "fund_id"};

constexpr char kGroupKeys[] =
    "regulatory_class, consolidated_exposure, deadline_status, validation_status, limit_status, "
    "stale";

// The monitored rows of version :v (and of manager :m when given) in the source's table. The
// manager is an equality only when given, so both keys' index prefix serves that case.
std::string MonitoredRows(const Source& from, const std::optional<long long>& manager) {
  return absl::StrCat(" FROM ", from.table,
                      " WHERE version_id = :v AND consolidated_exposure <> 'NONE'",
                      manager ? " AND manager_id = :m" : "");
}

// Runs `sql` with :v and, when given, :m bound; `read` receives each row.
template <typename Read>
void ForEachRow(soci::session& s, const std::string& sql, long long& id,
                std::optional<long long>& manager, Read read) {
  soci::details::prepare_temp_type prepared = (s.prepare << sql, soci::use(id));
  if (manager) prepared, soci::use(*manager);
  soci::rowset<soci::row> rows(prepared);
  for (const soci::row& row : rows) read(row);
}

FundStatusSummary::Group ReadGroup(const soci::row& row) {
  RowReader r(row);
  FundStatusSummary::Group g;
  g.regulatory_class = r.Enum<RegulatoryClass>();
  g.exposure = r.Enum<rules::ConsolidatedExposure>();
  g.deadline = r.Enum<rules::DeadlineStatus>();
  g.validation = r.Enum<rules::ValidationStatus>();
  g.limit = r.Enum<rules::LimitStatus>();
  g.stale = r.Bool();
  g.funds = r.Int();
  return g;
}

void ReadGroups(soci::session& s, const Source& from, long long& id,
                std::optional<long long>& manager, FundStatusSummary& out) {
  ForEachRow(s,
             absl::StrCat("SELECT ", kGroupKeys, ", ", from.funds, MonitoredRows(from, manager),
                          " GROUP BY ", kGroupKeys),
             id, manager, [&](const soci::row& row) { out.groups.push_back(ReadGroup(row)); });
}

void ReadMaxUtilisation(soci::session& s, const Source& from, long long& id,
                        std::optional<long long>& manager, FundStatusSummary& out) {
  ForEachRow(s,
             absl::StrCat("SELECT ", from.fund_id, ", ", from.utilisation,
                          MonitoredRows(from, manager), " AND ", from.utilisation,
                          " IS NOT NULL ORDER BY ", from.utilisation, " DESC, ", from.fund_id,
                          " LIMIT 1"),
             id, manager, [&](const soci::row& row) {
               RowReader r(row);
               out.max_utilisation_fund_id = r.Int();
               out.max_utilisation = r.Double();
             });
}

bool HasStoredCounts(soci::session& s, long long& id) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT version_id FROM fund_status_counts WHERE version_id = :v LIMIT 1",
       soci::use(id));
  return rows.begin() != rows.end();
}

// A finding belongs to the date whose run raised it: only the version's own date counts. The
// fund's row is looked up per finding by a correlated subquery, which neither database flattens
// into a join: the cost follows the date's open findings (index findings_open_by_date) with one
// primary-key look-up each, never the version's funds. (As a join, PostgreSQL hashed every row
// of the version.)
int64_t CountOpenFindings(soci::session& s, long long& id, std::optional<long long>& manager) {
  const std::string sql = absl::StrCat(
      "SELECT COUNT(*) FROM findings f WHERE f.reference_date = (SELECT reference_date",
      " FROM snapshot_versions WHERE id = :v0) AND f.state IN ('OPEN', 'ACKNOWLEDGED')",
      " AND (SELECT COUNT(*) FROM fund_status t WHERE t.version_id = :v",
      " AND t.fund_id = f.fund_id AND t.consolidated_exposure <> 'NONE'",
      manager ? " AND t.manager_id = :m" : "", ") > 0");
  soci::details::prepare_temp_type prepared = (s.prepare << sql, soci::use(id), soci::use(id));
  if (manager) prepared, soci::use(*manager);
  soci::rowset<soci::row> rows(prepared);
  int64_t open = 0;
  for (const soci::row& row : rows) {
    RowReader r(row);
    open = r.Int();
  }
  return open;
}

}  // namespace

absl::Status WriteFundStatusCounts(Backend backend, soci::session& s, int64_t version_id,
                                   const std::vector<FundStatusRow>& rows) {
  RETURN_IF_ERROR(WriteCounts(backend, s, version_id, CountRows(rows, true), true));
  return WriteCounts(backend, s, version_id, CountRows(rows, false), false);
}

FundStatusSummary ReadFundStatusSummary(soci::session& s, int64_t version_id,
                                        std::optional<int64_t> manager_id) {
  long long id = version_id;
  std::optional<long long> manager;
  if (manager_id) manager = *manager_id;
  // Both stored tables are written together: a version has counts and totals, or neither.
  const Source& from = !HasStoredCounts(s, id) ? kEveryFund
                       : manager               ? kStoredCounts
                                               : kStoredTotals;
  FundStatusSummary out;
  ReadGroups(s, from, id, manager, out);
  ReadMaxUtilisation(s, from, id, manager, out);
  out.open_findings = CountOpenFindings(s, id, manager);
  return out;
}

}  // namespace riskcap::db
