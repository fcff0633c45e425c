// Store methods for margin submissions (insert, look-up, list, decision) and exemptions.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/internal/database.h"
#include "db/internal/row_reader.h"
#include "db/internal/row_writers.h"
#include "db/internal/select_rows.h"
#include "db/store.h"

namespace riskcap::db {
namespace {

constexpr char kSubmissionColumns[] =
    "id, fund_id, reference_date, local_margin_micros, offshore_margin_micros, methodology,"
    " submitted_at_us, submitted_by, idempotency_key, content_hash, state, decision_reason,"
    " decided_by, decided_at_us";
constexpr char kExemptionColumns[] =
    "id, fund_id, reason, valid_from, valid_to, granted_by, granted_at_us, revoked_at_us,"
    " revoked_by";

MarginSubmission ReadSubmission(const soci::row& row) {
  RowReader r(row);
  MarginSubmission m;
  m.id = r.Int();
  m.fund_id = r.Int();
  m.reference_date = r.DateValue();
  m.local_margin = r.MoneyValue();
  m.offshore_margin = r.MoneyValue();
  m.methodology = r.Str();
  m.submitted_at = r.Time();
  m.submitted_by = r.Str();
  m.idempotency_key = r.Str();
  m.content_hash = r.Str();
  m.state = r.Enum<SubmissionState>();
  m.decision_reason = r.Str();
  m.decided_by = r.Str();
  m.decided_at = r.OptTime();
  return m;
}

Exemption ReadExemption(const soci::row& row) {
  RowReader r(row);
  Exemption e;
  e.id = r.Int();
  e.fund_id = r.Int();
  e.reason = r.Str();
  e.valid_from = r.DateValue();
  e.valid_to = r.DateValue();
  e.granted_by = r.Str();
  e.granted_at = r.Time();
  e.revoked_at = r.OptTime();
  e.revoked_by = r.Str();
  return e;
}

absl::StatusOr<MarginSubmission> SubmissionById(soci::session& s, long long id) {
  return SelectOne(s, absl::StrCat("SELECT ", kSubmissionColumns,
                                   " FROM margin_submissions WHERE id = :id"),
                   id, ReadSubmission, absl::StrCat("submission ", id));
}

// Checked first for a message naming the earlier submission; the UNIQUE constraint still
// refuses a concurrent duplicate (as AlreadyExists) if one slips between check and insert.
absl::Status RequireUnusedKey(soci::session& s, const std::string& key) {
  std::string k = key;
  long long existing = 0;
  s << "SELECT id FROM margin_submissions WHERE idempotency_key = :k", soci::use(k),
      soci::into(existing);
  if (!s.got_data()) return absl::OkStatus();
  return absl::AlreadyExistsError(absl::StrCat("submission idempotency_key '", key,
                                               "' is already used by submission ", existing));
}

absl::Status CheckDecision(SubmissionState decision, const std::string& reason,
                           const std::string& by) {
  if (decision == SubmissionState::kReceived) {
    return absl::InvalidArgumentError("decision must be VALIDATED or REJECTED, got RECEIVED");
  }
  if (by.empty()) return absl::InvalidArgumentError("decided_by must not be empty");
  // The manager has to learn why a report was refused.
  if (decision == SubmissionState::kRejected && reason.empty()) {
    return absl::InvalidArgumentError("decision_reason must not be empty for a rejection");
  }
  return absl::OkStatus();
}

absl::Status CheckNewExemption(const Exemption& e) {
  if (e.reason.empty()) return absl::InvalidArgumentError("exemption reason must not be empty");
  if (e.granted_by.empty()) {
    return absl::InvalidArgumentError("exemption granted_by must not be empty");
  }
  if (e.valid_to < e.valid_from) {
    return absl::InvalidArgumentError(
        absl::StrCat("exemption valid_to ", FormatDate(e.valid_to), " is before valid_from ",
                     FormatDate(e.valid_from)));
  }
  if (e.revoked_at.has_value() || !e.revoked_by.empty()) {
    return absl::InvalidArgumentError("a new exemption must not be revoked; use RevokeExemption");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckNewSubmission(const MarginSubmission& m) {
  if (m.local_margin.micros() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "submission local_margin must not be negative, got ", m.local_margin.ToString()));
  }
  if (m.offshore_margin.micros() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "submission offshore_margin must not be negative, got ", m.offshore_margin.ToString()));
  }
  if (m.idempotency_key.empty()) {
    return absl::InvalidArgumentError("submission idempotency_key must not be empty");
  }
  // Decisions go through DecideSubmission so that every one is recorded with who and when.
  if (m.state != SubmissionState::kReceived || m.decided_at.has_value() ||
      !m.decision_reason.empty() || !m.decided_by.empty()) {
    return absl::InvalidArgumentError("a new submission must be RECEIVED and undecided");
  }
  return absl::OkStatus();
}

// ---- Margin submissions ----

absl::StatusOr<MarginSubmission> Store::InsertSubmission(const MarginSubmission& submission) {
  RETURN_IF_ERROR(CheckNewSubmission(submission));
  return db_->Write([&](soci::session& s) -> absl::StatusOr<MarginSubmission> {
    RETURN_IF_ERROR(RequireUnusedKey(s, submission.idempotency_key));
    RETURN_IF_ERROR(RequireRow(s, "funds", submission.fund_id, "submission fund_id", "fund"));
    std::optional<long long> id = InsertSubmissions(s, {&submission}).front();
    // The key was free when checked above; a concurrent insert took it since.
    if (!id) return absl::AlreadyExistsError("submission idempotency_key was used concurrently");
    MarginSubmission stored = submission;
    stored.id = *id;
    return stored;
  });
}

absl::StatusOr<MarginSubmission> Store::GetSubmission(int64_t id) {
  return db_->Read([&](soci::session& s) { return SubmissionById(s, id); });
}

absl::StatusOr<MarginSubmission> Store::FindSubmissionByKey(const std::string& idempotency_key) {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<MarginSubmission> {
    return SelectOne(s, absl::StrCat("SELECT ", kSubmissionColumns,
                                     " FROM margin_submissions WHERE idempotency_key = :k"),
                     idempotency_key, ReadSubmission,
                     absl::StrCat("submission with idempotency_key '", idempotency_key, "'"));
  });
}

absl::StatusOr<std::vector<MarginSubmission>> Store::ListSubmissions(
    const SubmissionFilter& filter, const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  KeysetQuery q(kSubmissionColumns, "margin_submissions", page,
                filter.newest_first ? KeysetQuery::Order::kNewestFirst
                                    : KeysetQuery::Order::kOldestFirst);
  if (filter.fund_id) q.Where("fund_id = :fund", static_cast<long long>(*filter.fund_id));
  if (filter.manager_id) {
    q.Where("fund_id IN (SELECT id FROM funds WHERE manager_id = :manager)",
            static_cast<long long>(*filter.manager_id));
  }
  if (filter.from_date) q.Where("reference_date >= :from", FormatDate(*filter.from_date));
  if (filter.to_date) q.Where("reference_date <= :to", FormatDate(*filter.to_date));
  if (filter.state) q.Where("state = :state", std::string(EnumName(*filter.state)));
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<MarginSubmission>> {
    return q.Run(s, ReadSubmission);
  });
}

absl::StatusOr<MarginSubmission> Store::DecideSubmission(int64_t id, SubmissionState decision,
                                                         const std::string& reason,
                                                         const std::string& by, absl::Time at) {
  RETURN_IF_ERROR(CheckDecision(decision, reason, by));
  return db_->Write([&](soci::session& s) -> absl::StatusOr<MarginSubmission> {
    long long sub_id = id;
    std::string state(EnumName(decision)), why = reason, who = by;
    long long at_us = absl::ToUnixMicros(at);
    // Guarded by the current state, so of two concurrent decisions only the first applies.
    soci::statement st =
        (s.prepare << "UPDATE margin_submissions SET state = :s, decision_reason = :r,"
                      " decided_by = :b, decided_at_us = :at WHERE id = :id AND state = 'RECEIVED'",
         soci::use(state), soci::use(why), soci::use(who), soci::use(at_us), soci::use(sub_id));
    st.execute(true);
    ASSIGN_OR_RETURN(MarginSubmission current, SubmissionById(s, sub_id));
    if (st.get_affected_rows() == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "submission ", sub_id, " is already ", AbslView(EnumName(current.state))));
    }
    return current;
  });
}

// ---- Exemptions ----

absl::StatusOr<Exemption> Store::GrantExemption(const Exemption& exemption) {
  RETURN_IF_ERROR(CheckNewExemption(exemption));
  return db_->Write([&](soci::session& s) -> absl::StatusOr<Exemption> {
    Exemption stored = exemption;
    long long fund_id = exemption.fund_id, id = 0;
    std::string from = FormatDate(exemption.valid_from), to = FormatDate(exemption.valid_to);
    long long granted_at = absl::ToUnixMicros(exemption.granted_at);
    RETURN_IF_ERROR(RequireRow(s, "funds", fund_id, "exemption fund_id", "fund"));
    s << "INSERT INTO exemptions (fund_id, reason, valid_from, valid_to, granted_by,"
         " granted_at_us) VALUES (:f, :r, :from, :to, :by, :at) RETURNING id",
        soci::use(fund_id), soci::use(stored.reason), soci::use(from), soci::use(to),
        soci::use(stored.granted_by), soci::use(granted_at), soci::into(id);
    stored.id = id;
    return stored;
  });
}

absl::Status Store::RevokeExemption(int64_t id, const std::string& by, absl::Time at) {
  if (by.empty()) return absl::InvalidArgumentError("exemption revoked_by must not be empty");
  return db_->Write([&](soci::session& s) -> absl::Status {
    long long ex_id = id;
    long long at_us = absl::ToUnixMicros(at);
    std::string who = by;
    // Keeps the first revocation: revoking twice must not rewrite when the exemption ended.
    soci::statement st =
        (s.prepare << "UPDATE exemptions SET revoked_at_us = :at, revoked_by = :by"
                      " WHERE id = :id AND revoked_at_us IS NULL",
         soci::use(at_us), soci::use(who), soci::use(ex_id));
    st.execute(true);
    if (st.get_affected_rows() > 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(Exemption current,
                     SelectOne(s, absl::StrCat("SELECT ", kExemptionColumns,
                                               " FROM exemptions WHERE id = :id"),
                               ex_id, ReadExemption, absl::StrCat("exemption ", ex_id)));
    return absl::FailedPreconditionError(absl::StrCat(
        "exemption ", current.id, " is already revoked (by ", current.revoked_by, ")"));
  });
}

absl::StatusOr<std::vector<Exemption>> Store::ListExemptions(std::optional<int64_t> fund_id,
                                                             const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  KeysetQuery q(kExemptionColumns, "exemptions", page);
  if (fund_id) q.Where("fund_id = :fund", static_cast<long long>(*fund_id));
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<Exemption>> {
    return q.Run(s, ReadExemption);
  });
}

absl::StatusOr<std::vector<Exemption>> Store::ListExemptions(const ExemptionFilter& filter,
                                                             const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  KeysetQuery q(kExemptionColumns, "exemptions", page, KeysetQuery::Order::kNewestFirst);
  if (filter.fund_id) q.Where("fund_id = :fund", static_cast<long long>(*filter.fund_id));
  if (filter.manager_id) {
    q.Where("fund_id IN (SELECT id FROM funds WHERE manager_id = :manager)",
            static_cast<long long>(*filter.manager_id));
  }
  if (!filter.include_revoked) q.Where("revoked_at_us IS NULL");
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<Exemption>> {
    return q.Run(s, ReadExemption);
  });
}

}  // namespace riskcap::db

namespace riskcap::db {

absl::StatusOr<std::vector<absl::StatusOr<int64_t>>> Store::WriteBatch(
    const std::vector<SubmissionWrite>& submissions, const std::vector<AuditRecord>& audits) {
  for (const AuditRecord& r : audits) RETURN_IF_ERROR(CheckAuditRecord(r));
  for (const SubmissionWrite& w : submissions) {
    if (w.audit) RETURN_IF_ERROR(CheckAuditRecord(*w.audit));
  }
  return db_->Write([&](soci::session& s) -> absl::StatusOr<std::vector<absl::StatusOr<int64_t>>> {
    // A bad submission fails its own slot only; the others still commit.
    std::vector<absl::StatusOr<int64_t>> results(submissions.size(), int64_t{0});
    std::vector<const MarginSubmission*> valid;
    for (size_t i = 0; i < submissions.size(); ++i) {
      if (absl::Status bad = CheckNewSubmission(submissions[i].submission); !bad.ok()) {
        results[i] = bad;
      } else {
        valid.push_back(&submissions[i].submission);
      }
    }
    std::vector<std::optional<long long>> ids = InsertSubmissions(s, valid);
    // Each inserted submission's own record, in submission order, then the plain records.
    std::vector<const AuditRecord*> records;
    for (size_t i = 0, next = 0; i < submissions.size(); ++i) {
      if (!results[i].ok()) continue;
      const SubmissionWrite& w = submissions[i];
      if (std::optional<long long> id = ids[next++]) {
        results[i] = static_cast<int64_t>(*id);
        if (w.audit) records.push_back(&*w.audit);
      } else {
        results[i] = absl::AlreadyExistsError(absl::StrCat(
            "submission idempotency_key '", w.submission.idempotency_key, "' is already used"));
      }
    }
    for (const AuditRecord& r : audits) records.push_back(&r);
    InsertAudits(s, records);
    return results;
  });
}

}  // namespace riskcap::db
