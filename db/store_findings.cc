// Store methods for validation findings (de-duplicated raise, lifecycle, list) and reminders.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
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

// The unresolved findings of `date` whose dedup key is one of `keys`, by the partial unique index
// findings_one_unresolved (no ORDER BY or LIMIT, which could steer the planner to the primary key).
std::vector<Finding> UnresolvedByKeys(soci::session& s, Date date,
                                      const std::vector<std::string>& keys) {
  std::string sql = absl::StrCat("SELECT ", kFindingColumns, " FROM findings WHERE",
                                 " reference_date = :d AND state <> 'RESOLVED' AND dedup_key IN (");
  for (size_t i = 0; i < keys.size(); ++i) absl::StrAppend(&sql, i == 0 ? ":k" : ", :k", i);
  sql += ")";
  std::string day = FormatDate(date);
  soci::details::prepare_temp_type prepared = (s.prepare << sql, soci::use(day));
  for (const std::string& key : keys) prepared, soci::use(key);
  soci::rowset<soci::row> rows(prepared);
  std::vector<Finding> out;
  for (const soci::row& row : rows) out.push_back(ReadFinding(row));
  return out;
}

// The unresolved finding of `f`'s problem on `f`'s reference date (a finding belongs to its date).
std::optional<Finding> UnresolvedByKey(soci::session& s, const Finding& f) {
  std::vector<Finding> found = UnresolvedByKeys(s, f.reference_date, {f.dedup_key});
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
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

// A finding's problem on its date: what findings_one_unresolved keeps unique.
using ProblemKey = std::pair<Date, std::string>;

// InsertUnlessUnresolved for many findings in one multi-row INSERT: the ids of those inserted, by
// problem; one whose problem has an unresolved finding by now is skipped.
std::map<ProblemKey, long long> InsertAllUnlessUnresolved(soci::session& s,
                                                          const std::vector<const Finding*>& fs) {
  std::map<ProblemKey, long long> ids;
  if (fs.empty()) return ids;
  struct Bound {  // SOCI binds by reference: the values live until the statement has run
    std::string severity, date;
    Nullable<long long> fund, run;
    long long raised_at;
  };
  std::vector<Bound> bound;
  bound.reserve(fs.size());
  std::string sql =
      "INSERT INTO findings (rule, severity, fund_id, reference_date, job_run_id, message,"
      " dedup_key, state, raised_at_us) VALUES ";
  for (size_t i = 0; i < fs.size(); ++i) {
    const Finding& f = *fs[i];
    bound.push_back({std::string(EnumName(f.severity)), FormatDate(f.reference_date),
                     NullableInt(f.fund_id), NullableInt(f.job_run_id),
                     absl::ToUnixMicros(f.raised_at)});
    absl::StrAppend(&sql, i == 0 ? "" : ", ", "(:r", i, ", :s", i, ", :f", i, ", :d", i, ", :j",
                    i, ", :m", i, ", :k", i, ", 'OPEN', :a", i, ")");
  }
  sql += " ON CONFLICT DO NOTHING RETURNING id, reference_date, dedup_key";
  soci::details::prepare_temp_type prepared = (s.prepare << sql);
  for (size_t i = 0; i < fs.size(); ++i) {
    Bound& b = bound[i];
    prepared, soci::use(fs[i]->rule), soci::use(b.severity),
        soci::use(b.fund.value, b.fund.indicator), soci::use(b.date),
        soci::use(b.run.value, b.run.indicator), soci::use(fs[i]->message),
        soci::use(fs[i]->dedup_key), soci::use(b.raised_at);
  }
  soci::rowset<soci::row> rows(prepared);
  for (const soci::row& row : rows) {
    RowReader r(row);
    const long long id = r.Int();
    const Date date = r.DateValue();
    ids.emplace(ProblemKey(date, r.Str()), id);
  }
  return ids;
}

// Stores `f`, whose references are checked, unless an unresolved finding of its problem exists;
// returns the one stored (`inserted`) or found.
absl::StatusOr<Finding> RaiseChecked(soci::session& s, const Finding& f, bool& inserted) {
  for (int pass = 0; pass < kRaisePasses; ++pass) {
    // Looking first keeps re-raises from consuming ids, which the common case would otherwise.
    if (std::optional<Finding> existing = UnresolvedByKey(s, f)) return *existing;
    if (std::optional<long long> id = InsertUnlessUnresolved(s, f)) {
      inserted = true;
      Finding stored = f;
      stored.id = *id;
      return stored;
    }
  }
  return absl::AbortedError(absl::StrCat("findings with dedup_key '", f.dedup_key,
                                         "' kept being raised and resolved concurrently; retry"));
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
  ASSIGN_OR_RETURN(auto raised, RaiseFindings(absl::MakeConstSpan(&finding, 1)));
  if (created != nullptr) *created = raised.front().second;
  return std::move(raised.front().first);
}

absl::StatusOr<std::vector<std::pair<Finding, bool>>> Store::RaiseFindings(
    absl::Span<const Finding> findings) {
  if (findings.size() > kMaxFindingsRaised) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", kMaxFindingsRaised,
                                                   " findings are raised at once, not ",
                                                   findings.size()));
  }
  std::set<long long> funds, runs;
  std::map<Date, std::vector<std::string>> keys_by_date;
  for (const Finding& f : findings) {
    RETURN_IF_ERROR(CheckNewFinding(f));
    if (f.fund_id) funds.insert(*f.fund_id);
    if (f.job_run_id) runs.insert(*f.job_run_id);
    keys_by_date[f.reference_date].push_back(f.dedup_key);
  }
  using Raised = std::vector<std::pair<Finding, bool>>;
  return db_->Write([&](soci::session& s) -> absl::StatusOr<Raised> {
    RETURN_IF_ERROR(RequireRows(s, "funds", funds, "finding fund_id", "fund"));
    RETURN_IF_ERROR(RequireRows(s, "job_runs", runs, "finding job_run_id", "job run"));
    std::map<ProblemKey, Finding> unresolved;
    for (const auto& [date, keys] : keys_by_date) {
      for (Finding& f : UnresolvedByKeys(s, date, keys)) {
        unresolved.emplace(ProblemKey(date, f.dedup_key), std::move(f));
      }
    }
    // The rest in one INSERT: each problem once, the first finding that names it.
    std::vector<const Finding*> fresh;
    std::set<ProblemKey> named;
    for (const Finding& f : findings) {
      ProblemKey key(f.reference_date, f.dedup_key);
      if (!unresolved.count(key) && named.insert(key).second) fresh.push_back(&f);
    }
    const std::map<ProblemKey, long long> inserted = InsertAllUnlessUnresolved(s, fresh);
    Raised out;
    for (const Finding& f : findings) {
      ProblemKey key(f.reference_date, f.dedup_key);
      if (auto it = unresolved.find(key); it != unresolved.end()) {
        out.emplace_back(it->second, false);
        continue;
      }
      if (auto it = inserted.find(key); it != inserted.end()) {
        Finding stored = f;
        stored.id = it->second;
        unresolved.emplace(key, stored);
        out.emplace_back(std::move(stored), true);
        continue;
      }
      // Raised meanwhile by another transaction (the INSERT skipped it): as one raise would.
      bool is_new = false;
      ASSIGN_OR_RETURN(Finding stored, RaiseChecked(s, f, is_new));
      unresolved.emplace(key, stored);
      out.emplace_back(std::move(stored), is_new);
    }
    return out;
  });
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
