// Store methods for the margin_status job's output (table fund_status, migrations 0004): write a
// MARGIN_STATUS version with its rows and summary counts, list a version's rows with filters,
// summarise it (db/internal/fund_status_summary.h), and the fund's previous result for breach tracking.
#include <array>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "db/internal/database.h"
#include "db/internal/fund_status_summary.h"
#include "db/internal/row_reader.h"
#include "db/internal/select_rows.h"
#include "db/internal/snapshot_rows.h"
#include "db/store.h"

namespace riskcap::db {
namespace {

using rules::FundStatusRow;

constexpr auto kFundStatusColumns = std::to_array<std::string_view>(
    {"version_id", "fund_id", "reference_date", "rule_version", "manager_id", "regulatory_class",
     "target_audience", "consolidated_exposure", "exposure_position_date", "periodicity_days",
     "submission_id", "submission_state", "exemption_id", "last_submission_date",
     "last_submission_source", "next_due_date", "days_to_due", "deadline_status",
     "validation_status", "local_margin_micros", "offshore_margin_micros",
     "consolidated_margin_micros", "nav_micros", "nav_date", "exchange_margin_micros",
     "exchange_margin_date", "otc_margin_micros", "otc_margin_source", "otc_margin_date",
     "offshore_component_micros", "offshore_component_date", "gross_margin_micros", "utilisation",
     "cap", "cap_source", "limit_status", "stale", "breach_start_date", "breach_business_days",
     "schedule_im_micros", "saccr_ead_micros", "benchmark_position_count",
     "benchmark_excluded_count"});

void OptInt(RowSink& out, const std::optional<int64_t>& v) {
  out.Optional(v, [&](int64_t x) { out.Int(x); });
}
void OptDate(RowSink& out, const std::optional<Date>& v) {
  out.Optional(v, [&](Date d) { out.DateValue(d); });
}
void OptMoney(RowSink& out, const std::optional<Money>& v) {
  out.Optional(v, [&](Money m) { out.MoneyValue(m); });
}

void EncodeComponent(RowSink& out, const std::optional<rules::MarginComponent>& c,
                     bool with_source) {
  OptMoney(out, c ? std::optional<Money>(c->amount) : std::nullopt);
  if (with_source) {
    if (c) out.Enum(c->source); else out.Null();
  }
  OptDate(out, c ? std::optional<Date>(c->date) : std::nullopt);
}

void EncodeFundStatus(const FundStatusRow& row, RowSink& out) {
  const rules::FundStatus& s = row.status;
  const rules::RiskCapitalResult& r = row.risk;
  out.Int(s.fund_id);
  out.DateValue(s.reference_date);
  out.Text(s.rule_version);
  out.Int(row.manager_id);
  out.Enum(row.regulatory_class);
  out.Enum(row.target_audience);
  out.Enum(s.consolidated_exposure);
  OptDate(out, s.exposure_position_date);
  out.Optional(s.periodicity_days, [&](int32_t d) { out.Int(d); });
  OptInt(out, s.submission_id);
  out.Optional(s.submission_state, [&](SubmissionState st) { out.Enum(st); });
  OptInt(out, s.exemption_id);
  OptDate(out, s.last_submission_date);
  out.Enum(s.last_submission_source);
  OptDate(out, s.next_due_date);
  out.Optional(s.days_to_due, [&](int32_t d) { out.Int(d); });
  out.Enum(s.deadline_status);
  out.Enum(s.validation_status);
  OptMoney(out, s.local_margin);
  OptMoney(out, s.offshore_margin);
  OptMoney(out, s.consolidated_margin);
  OptMoney(out, r.nav);
  OptDate(out, r.nav_date);
  EncodeComponent(out, r.exchange_margin, false);
  EncodeComponent(out, r.otc_margin, true);
  EncodeComponent(out, r.offshore_margin, false);
  out.MoneyValue(r.gross_margin);
  out.Optional(r.utilisation, [&](double d) { out.Double(d); });
  out.Optional(r.cap.cap, [&](double d) { out.Double(d); });
  out.Enum(r.cap.source);
  out.Enum(r.limit_status);
  out.Bool(r.stale);
  OptDate(out, r.breach.start_date);
  out.Int(r.breach.business_days);
  OptMoney(out, row.benchmark.schedule_im);
  OptMoney(out, row.benchmark.saccr_ead);
  out.Int(row.benchmark.position_count);
  out.Int(row.benchmark.excluded_count);
}

std::optional<rules::MarginComponent> ReadComponent(RowReader& r, rules::MarginSource fixed,
                                                    bool with_source) {
  std::optional<Money> amount = r.OptMoney();
  std::string source = with_source ? r.Str() : std::string();
  std::optional<Date> date = r.OptDate();
  if (!amount || !date) return std::nullopt;
  rules::MarginSource src = fixed;
  if (with_source) {
    auto parsed = ParseEnum<rules::MarginSource>(source);
    if (!parsed.ok()) throw std::runtime_error(std::string(parsed.status().message()));
    src = *parsed;
  }
  return rules::MarginComponent{*amount, src, *date};
}

std::optional<int32_t> OptInt32(RowReader& r) {
  std::optional<int64_t> v = r.OptInt();
  return v ? std::optional<int32_t>(static_cast<int32_t>(*v)) : std::nullopt;
}

FundStatusRow ReadFundStatus(const soci::row& row) {
  RowReader r(row);
  FundStatusRow out;
  rules::FundStatus& s = out.status;
  rules::RiskCapitalResult& k = out.risk;
  s.fund_id = k.fund_id = r.Int();
  s.reference_date = k.reference_date = r.DateValue();
  s.rule_version = k.rule_version = r.Str();
  out.manager_id = r.Int();
  out.regulatory_class = r.Enum<RegulatoryClass>();
  out.target_audience = r.Enum<TargetAudience>();
  s.consolidated_exposure = r.Enum<rules::ConsolidatedExposure>();
  s.exposure_position_date = r.OptDate();
  s.periodicity_days = OptInt32(r);
  s.submission_id = k.submission_id = r.OptInt();
  s.submission_state = r.OptEnum<SubmissionState>();
  s.exemption_id = r.OptInt();
  s.last_submission_date = r.OptDate();
  s.last_submission_source = r.Enum<rules::LastSubmissionSource>();
  s.next_due_date = r.OptDate();
  s.days_to_due = OptInt32(r);
  s.deadline_status = r.Enum<rules::DeadlineStatus>();
  s.validation_status = r.Enum<rules::ValidationStatus>();
  s.local_margin = r.OptMoney();
  s.offshore_margin = r.OptMoney();
  s.consolidated_margin = r.OptMoney();
  k.nav = r.OptMoney();
  k.nav_date = r.OptDate();
  k.exchange_margin = ReadComponent(r, rules::MarginSource::kExchange, false);
  k.otc_margin = ReadComponent(r, rules::MarginSource::kManager, true);
  k.offshore_margin = ReadComponent(r, rules::MarginSource::kManager, false);
  k.gross_margin = r.MoneyValue();
  k.utilisation = r.OptDouble();
  k.cap.cap = r.OptDouble();
  k.cap.source = r.Enum<rules::CapSource>();
  k.limit_status = r.Enum<rules::LimitStatus>();
  k.stale = r.Bool();
  k.breach.start_date = r.OptDate();
  k.breach.business_days = static_cast<int32_t>(r.Int());
  out.benchmark.schedule_im = r.OptMoney();
  out.benchmark.saccr_ead = r.OptMoney();
  out.benchmark.position_count = static_cast<int32_t>(r.Int());
  out.benchmark.excluded_count = static_cast<int32_t>(r.Int());
  return out;
}

absl::Status ValidateFundStatusRows(const std::vector<FundStatusRow>& rows, Date reference) {
  std::set<int64_t> funds;
  for (size_t i = 0; i < rows.size(); ++i) {
    const FundStatusRow& row = rows[i];
    if (row.status.reference_date != reference || row.risk.reference_date != reference) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rows[", i, "].reference_date ", FormatDate(row.status.reference_date),
          " is not the version's reference date ", FormatDate(reference)));
    }
    if (!funds.insert(row.fund_id()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("rows[", i, "].fund_id ", row.fund_id(), " appears twice"));
    }
  }
  return absl::OkStatus();
}

// The stored columns after version_id, each prefixed with `alias.` unless `alias` is empty.
std::string FundStatusColumnList(std::string_view alias) {
  std::string columns;
  for (size_t i = 1; i < kFundStatusColumns.size(); ++i) {
    absl::StrAppend(&columns, i > 1 ? ", " : "", AbslView(alias), alias.empty() ? "" : ".",
                    AbslView(kFundStatusColumns[i]));
  }
  return columns;
}

std::string SelectFundStatus(std::string_view alias) {
  return absl::StrCat("SELECT ", FundStatusColumnList(alias));
}

absl::Status RequireStatusVersion(soci::session& s, int64_t version_id) {
  long long id = version_id;
  std::string kind;
  s << "SELECT kind FROM snapshot_versions WHERE id = :id", soci::use(id), soci::into(kind);
  if (s.got_data() && kind == EnumName(SnapshotKind::kMarginStatus)) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat("no MARGIN_STATUS snapshot version with id ", version_id));
}

template <typename E>
void WhereEnum(KeysetQuery& q, std::string_view column, const std::optional<E>& value) {
  if (!value) return;
  q.Where(absl::StrCat(AbslView(column), " = :", AbslView(column)), std::string(EnumName(*value)));
}

}  // namespace

absl::StatusOr<SnapshotVersion> Store::WriteFundStatus(const NewVersion& v,
                                                       const std::vector<FundStatusRow>& rows) {
  RETURN_IF_ERROR(ValidateFundStatusRows(rows, v.reference_date));
  // The summary's counts commit with the rows they count (db/internal/fund_status_summary.h).
  const Backend backend = db_->backend();
  return AppendSnapshotVersion(
      *db_, SnapshotKind::kMarginStatus, v, "fund_status", kFundStatusColumns, rows.size(),
      [&](size_t i, RowSink& out) { EncodeFundStatus(rows[i], out); },
      [&](soci::session& s, const SnapshotVersion& written) {
        return WriteFundStatusCounts(backend, s, written.id, rows);
      });
}

absl::StatusOr<std::vector<FundStatusRow>> Store::ListFundStatus(int64_t version_id,
                                                                 const FundStatusFilter& filter,
                                                                 const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<FundStatusRow>> {
    RETURN_IF_ERROR(RequireStatusVersion(s, version_id));
    // Only the filters that are set appear in the SQL: "column = COALESCE(:p, column)" for the
    // unset ones made PostgreSQL's planner expect almost no rows, so it sorted the whole version
    // for every page instead of walking the primary key (version_id, fund_id) to the page's end.
    KeysetQuery q(FundStatusColumnList(""), "fund_status", page, KeysetQuery::Order::kOldestFirst,
                  "fund_id");
    q.Where("version_id = :v", static_cast<long long>(version_id));
    if (filter.fund_id) q.Where("fund_id = :fund", static_cast<long long>(*filter.fund_id));
    if (filter.manager_id) q.Where("manager_id = :mgr", static_cast<long long>(*filter.manager_id));
    WhereEnum(q, "regulatory_class", filter.regulatory_class);
    WhereEnum(q, "consolidated_exposure", filter.exposure);
    WhereEnum(q, "deadline_status", filter.deadline_status);
    WhereEnum(q, "validation_status", filter.validation_status);
    WhereEnum(q, "limit_status", filter.limit_status);
    if (!filter.include_not_monitored) q.Where("consolidated_exposure <> 'NONE'");
    return q.Run(s, ReadFundStatus);
  });
}

absl::StatusOr<FundStatusSummary> Store::SummarizeFundStatus(int64_t version_id,
                                                             std::optional<int64_t> manager_id) {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<FundStatusSummary> {
    RETURN_IF_ERROR(RequireStatusVersion(s, version_id));
    return ReadFundStatusSummary(s, version_id, manager_id);
  });
}

absl::StatusOr<std::optional<FundStatusRow>> Store::LatestFundStatusBefore(int64_t fund_id,
                                                                           Date before) {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::optional<FundStatusRow>> {
    long long fund = fund_id;
    std::string day = FormatDate(before);
    std::string sql = absl::StrCat(
        SelectFundStatus("t"),
        " FROM fund_status t JOIN snapshot_versions v ON v.id = t.version_id",
        " WHERE t.fund_id = :fund AND v.reference_date < :day AND v.version = (SELECT MAX(w.version)",
        " FROM snapshot_versions w WHERE w.kind = v.kind AND w.reference_date = v.reference_date)",
        " ORDER BY v.reference_date DESC LIMIT 1");
    soci::rowset<soci::row> rows = (s.prepare << sql, soci::use(fund), soci::use(day));
    for (const soci::row& row : rows) return std::optional<FundStatusRow>(ReadFundStatus(row));
    return std::optional<FundStatusRow>();
  });
}

absl::StatusOr<std::optional<int64_t>> Store::GetSourceVersionId(int64_t version_id) {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::optional<int64_t>> {
    long long id = version_id;
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT source_version_id FROM snapshot_versions WHERE id = :id",
         soci::use(id));
    for (const soci::row& row : rows) {
      RowReader r(row);
      return r.OptInt();
    }
    return absl::NotFoundError(absl::StrCat("snapshot version ", version_id, " not found"));
  });
}

absl::StatusOr<int64_t> Store::MaxFindingId() {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<int64_t> {
    long long id = 0;
    s << "SELECT COALESCE(MAX(id), 0) FROM findings", soci::into(id);
    return static_cast<int64_t>(id);
  });
}

}  // namespace riskcap::db
