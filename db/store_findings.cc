// Store methods for validation findings (de-duplicated raise, lifecycle, list) and reminders.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/internal/database.h"
#include "db/internal/row_reader.h"
#include "db/internal/select_rows.h"
#include "db/store.h"

namespace riskcap::db {
namespace {

constexpr char kFindingColumns[] =
    "id, rule, severity, fund_id, reference_date, job_run_id, message, dedup_key, state,"
    " raised_at_us, acknowledged_by, acknowledged_at_us, resolved_by, resolved_at_us, resolution";
constexpr char kReminderColumns[] =
    "id, manager_id, reference_date, body, content_hash, created_at_us";

// A raise finds either the unresolved finding or room to insert one; it finds neither only when a
// concurrent raiser's finding was resolved in between, so a few passes are plenty.
constexpr int kRaisePasses = 3;

Finding ReadFinding(const soci::row& row) {
  RowReader r(row);
  Finding f;
  f.id = r.Int();
  f.rule = r.Str();
  f.severity = r.Enum<FindingSeverity>();
  f.fund_id = r.OptInt();
  f.reference_date = r.DateValue();
  f.job_run_id = r.OptInt();
  f.message = r.Str();
  f.dedup_key = r.Str();
  f.state = r.Enum<FindingState>();
  f.raised_at = r.Time();
  f.acknowledged_by = r.Str();
  f.acknowledged_at = r.OptTime();
  f.resolved_by = r.Str();
  f.resolved_at = r.OptTime();
  f.resolution = r.Str();
  return f;
}

Reminder ReadReminder(const soci::row& row) {
  RowReader r(row);
  Reminder m;
  m.id = r.Int();
  m.manager_id = r.Int();
  m.reference_date = r.DateValue();
  m.body = r.Str();
  m.content_hash = r.Str();
  m.created_at = r.Time();
  return m;
}

absl::StatusOr<Finding> FindingById(soci::session& s, long long id) {
  return SelectOne(s, absl::StrCat("SELECT ", kFindingColumns, " FROM findings WHERE id = :id"),
                   id, ReadFinding, absl::StrCat("finding ", id));
}

absl::Status CheckNewFinding(const Finding& f) {
  if (f.rule.empty()) return absl::InvalidArgumentError("finding rule must not be empty");
  if (f.dedup_key.empty()) return absl::InvalidArgumentError("finding dedup_key must not be empty");
  if (f.message.empty()) return absl::InvalidArgumentError("finding message must not be empty");
  // Later states are reached only through Acknowledge/Resolve, which record who and when.
  if (f.state != FindingState::kOpen || f.acknowledged_at || f.resolved_at ||
      !f.acknowledged_by.empty() || !f.resolved_by.empty() || !f.resolution.empty()) {
    return absl::InvalidArgumentError("a new finding must be OPEN, unacknowledged and unresolved");
  }
  return absl::OkStatus();
}

absl::Status RequireFindingReferences(soci::session& s, const Finding& f) {
  if (f.fund_id) {
    RETURN_IF_ERROR(RequireRow(s, "funds", *f.fund_id, "finding fund_id", "fund"));
  }
  if (f.job_run_id) {
    RETURN_IF_ERROR(RequireRow(s, "job_runs", *f.job_run_id, "finding job_run_id", "job run"));
  }
  return absl::OkStatus();
}

// The unresolved finding of `f`'s problem on `f`'s reference date (a finding belongs to its date).
std::optional<Finding> UnresolvedByKey(soci::session& s, const Finding& f) {
  std::string key = f.dedup_key, date = FormatDate(f.reference_date);
  soci::rowset<soci::row> rows =
      (s.prepare << absl::StrCat("SELECT ", kFindingColumns,
                                 " FROM findings WHERE dedup_key = :k AND reference_date = :d",
                                 " AND state <> 'RESOLVED'"),
       soci::use(key), soci::use(date));
  for (const soci::row& row : rows) return ReadFinding(row);
  return std::nullopt;
}

// Inserts `f` as OPEN and returns its id, or nullopt when an unresolved finding with its dedup
// key and reference date exists. ON CONFLICT waits for a concurrent raiser and then yields to it,
// so the partial unique index never raises an error that would abort a PostgreSQL transaction.
// It names no target: the only unique index it can meet is findings_one_unresolved, whichever
// columns the schema version gives it (dedup_key alone before migration 0012).
std::optional<long long> InsertUnlessUnresolved(soci::session& s, const Finding& f) {
  std::string severity(EnumName(f.severity)), date = FormatDate(f.reference_date);
  Nullable<long long> fund = NullableInt(f.fund_id), run = NullableInt(f.job_run_id);
  long long raised_at = absl::ToUnixMicros(f.raised_at), id = 0;
  soci::statement st =
      (s.prepare << "INSERT INTO findings (rule, severity, fund_id, reference_date, job_run_id,"
                    " message, dedup_key, state, raised_at_us)"
                    " VALUES (:rule, :sev, :fund, :d, :run, :msg, :key, 'OPEN', :at)"
                    " ON CONFLICT DO NOTHING RETURNING id",
       soci::use(f.rule), soci::use(severity), soci::use(fund.value, fund.indicator),
       soci::use(date), soci::use(run.value, run.indicator), soci::use(f.message),
       soci::use(f.dedup_key), soci::use(raised_at), soci::into(id));
  if (!st.execute(true)) return std::nullopt;
  return id;
}

// Runs a state-guarded UPDATE of finding `id` and returns the finding as it now is: NotFound when
// it does not exist, FailedPrecondition naming its state when the guard refused the change.
absl::StatusOr<Finding> ApplyTransition(soci::session& s, soci::statement& update, long long id,
                                        std::string_view refusal) {
  update.execute(true);
  ASSIGN_OR_RETURN(Finding current, FindingById(s, id));
  if (update.get_affected_rows() == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "finding ", id, " is ", AbslView(EnumName(current.state)), ": ", AbslView(refusal)));
  }
  return current;
}

// Checked first for a message naming the earlier reminder; the UNIQUE constraint still refuses a
// concurrent duplicate (as AlreadyExists).
absl::Status RequireNewReminder(soci::session& s, long long manager_id, const std::string& hash) {
  std::string h = hash;
  long long existing = 0;
  s << "SELECT id FROM reminders WHERE manager_id = :m AND content_hash = :h",
      soci::use(manager_id), soci::use(h), soci::into(existing);
  if (!s.got_data()) return absl::OkStatus();
  return absl::AlreadyExistsError(absl::StrCat("manager ", manager_id, " already has reminder ",
                                               existing, " with content_hash '", hash, "'"));
}

}  // namespace

// ---- Findings ----

absl::StatusOr<Finding> Store::RaiseFinding(const Finding& finding, bool* created) {
  RETURN_IF_ERROR(CheckNewFinding(finding));
  bool inserted = false;
  absl::StatusOr<Finding> result = db_->Write([&](soci::session& s) -> absl::StatusOr<Finding> {
    RETURN_IF_ERROR(RequireFindingReferences(s, finding));
    for (int pass = 0; pass < kRaisePasses; ++pass) {
      // Looking first keeps re-raises from consuming ids, which the common case would otherwise.
      if (std::optional<Finding> existing = UnresolvedByKey(s, finding)) return *existing;
      if (std::optional<long long> id = InsertUnlessUnresolved(s, finding)) {
        inserted = true;
        Finding stored = finding;
        stored.id = *id;
        return stored;
      }
    }
    return absl::AbortedError(absl::StrCat("findings with dedup_key '", finding.dedup_key,
                                           "' kept being raised and resolved concurrently; retry"));
  });
  if (result.ok() && created != nullptr) *created = inserted;
  return result;
}

absl::StatusOr<Finding> Store::GetFinding(int64_t id) {
  return db_->Read([&](soci::session& s) { return FindingById(s, id); });
}

absl::StatusOr<std::vector<Finding>> Store::ListFindings(const FindingFilter& filter,
                                                         const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  KeysetQuery q(kFindingColumns, "findings", page,
                filter.newest_first ? KeysetQuery::Order::kNewestFirst
                                    : KeysetQuery::Order::kOldestFirst);
  if (filter.fund_id) q.Where("fund_id = :fund", static_cast<long long>(*filter.fund_id));
  if (filter.state) q.Where("state = :state", std::string(EnumName(*filter.state)));
  if (filter.min_severity) {
    // Severities are declared in ascending order, so "at least" is a suffix of the name table.
    const auto& names = EnumNames<FindingSeverity>::kNames;
    std::vector<std::string> at_least(names.begin() + static_cast<size_t>(*filter.min_severity),
                                      names.end());
    q.WhereIn("severity", at_least);
  }
  if (filter.rule) q.Where("rule = :rule", *filter.rule);
  if (filter.reference_date) q.Where("reference_date = :day", FormatDate(*filter.reference_date));
  if (filter.manager_id) {
    q.Where("fund_id IN (SELECT id FROM funds WHERE manager_id = :manager)",
            static_cast<long long>(*filter.manager_id));
  }
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<Finding>> {
    return q.Run(s, ReadFinding);
  });
}

absl::StatusOr<Finding> Store::AcknowledgeFinding(int64_t id, const std::string& by,
                                                  absl::Time at) {
  if (by.empty()) return absl::InvalidArgumentError("finding acknowledged_by must not be empty");
  return db_->Write([&](soci::session& s) -> absl::StatusOr<Finding> {
    long long finding_id = id, at_us = absl::ToUnixMicros(at);
    std::string who = by;
    soci::statement update =
        (s.prepare << "UPDATE findings SET state = 'ACKNOWLEDGED', acknowledged_by = :by,"
                      " acknowledged_at_us = :at WHERE id = :id AND state = 'OPEN'",
         soci::use(who), soci::use(at_us), soci::use(finding_id));
    return ApplyTransition(s, update, finding_id, "only an OPEN finding can be acknowledged");
  });
}

absl::StatusOr<Finding> Store::ResolveFinding(int64_t id, const std::string& by,
                                              const std::string& resolution, absl::Time at) {
  if (by.empty()) return absl::InvalidArgumentError("finding resolved_by must not be empty");
  if (resolution.empty()) {
    return absl::InvalidArgumentError("finding resolution must not be empty");
  }
  return db_->Write([&](soci::session& s) -> absl::StatusOr<Finding> {
    long long finding_id = id, at_us = absl::ToUnixMicros(at);
    std::string who = by, text = resolution;
    soci::statement update =
        (s.prepare << "UPDATE findings SET state = 'RESOLVED', resolved_by = :by,"
                      " resolved_at_us = :at, resolution = :res"
                      " WHERE id = :id AND state IN ('OPEN', 'ACKNOWLEDGED')",
         soci::use(who), soci::use(at_us), soci::use(text), soci::use(finding_id));
    return ApplyTransition(s, update, finding_id, "it is already resolved");
  });
}

// ---- Reminders ----

absl::StatusOr<Reminder> Store::InsertReminder(const Reminder& reminder) {
  if (reminder.content_hash.empty()) {
    return absl::InvalidArgumentError("reminder content_hash must not be empty");
  }
  return db_->Write([&](soci::session& s) -> absl::StatusOr<Reminder> {
    Reminder stored = reminder;
    long long manager_id = reminder.manager_id, id = 0;
    long long created_at = absl::ToUnixMicros(reminder.created_at);
    std::string date = FormatDate(reminder.reference_date);
    RETURN_IF_ERROR(RequireRow(s, "managers", manager_id, "reminder manager_id", "manager"));
    RETURN_IF_ERROR(RequireNewReminder(s, manager_id, reminder.content_hash));
    s << "INSERT INTO reminders (manager_id, reference_date, body, content_hash, created_at_us)"
         " VALUES (:m, :d, :b, :h, :at) RETURNING id",
        soci::use(manager_id), soci::use(date), soci::use(stored.body),
        soci::use(stored.content_hash), soci::use(created_at), soci::into(id);
    stored.id = id;
    return stored;
  });
}

absl::StatusOr<std::vector<Reminder>> Store::ListReminders(std::optional<int64_t> manager_id,
                                                           const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  KeysetQuery q(kReminderColumns, "reminders", page);
  if (manager_id) q.Where("manager_id = :manager", static_cast<long long>(*manager_id));
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<Reminder>> {
    return q.Run(s, ReadReminder);
  });
}

}  // namespace riskcap::db
