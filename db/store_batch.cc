// Store::WriteBatch: many submissions and audit records in one transaction (group commit).
#include "db/database.h"
#include "db/row_reader.h"
#include "db/store.h"

namespace riskcap::db {
namespace {

// Inserts one submission unless its idempotency key is taken; returns the new id or nullopt.
std::optional<int64_t> InsertIfNew(soci::session& s, const MarginSubmission& m) {
  long long fund_id = m.fund_id, local = m.local_margin.micros(), offshore = m.offshore_margin.micros();
  long long at = absl::ToUnixMicros(m.submitted_at);
  std::string date = FormatDate(m.reference_date), state(EnumName(m.state));
  long long id = 0;
  soci::indicator ind = soci::i_null;
  s << "INSERT INTO margin_submissions (fund_id, reference_date, local_margin_micros,"
       " offshore_margin_micros, methodology, submitted_at_us, submitted_by, idempotency_key,"
       " content_hash, state) VALUES (:f, :d, :l, :o, :m, :t, :b, :k, :h, :s)"
       " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
      soci::use(fund_id), soci::use(date), soci::use(local), soci::use(offshore),
      soci::use(m.methodology), soci::use(at), soci::use(m.submitted_by),
      soci::use(m.idempotency_key), soci::use(m.content_hash), soci::use(state),
      soci::into(id, ind);
  if (!s.got_data() || ind != soci::i_ok) return std::nullopt;
  return id;
}

void InsertAudit(soci::session& s, const AuditRecord& r) {
  long long at = absl::ToUnixMicros(r.at);
  s << "INSERT INTO audit_log (at_us, principal, method, request_id, outcome, detail)"
       " VALUES (:a, :p, :m, :r, :o, :d)",
      soci::use(at), soci::use(r.principal), soci::use(r.method), soci::use(r.request_id),
      soci::use(r.outcome), soci::use(r.detail);
}

}  // namespace

absl::StatusOr<std::vector<absl::StatusOr<int64_t>>> Store::WriteBatch(
    const std::vector<MarginSubmission>& submissions, const std::vector<AuditRecord>& audits) {
  return db_->Write([&](soci::session& s) -> absl::StatusOr<std::vector<absl::StatusOr<int64_t>>> {
    std::vector<absl::StatusOr<int64_t>> results;
    results.reserve(submissions.size());
    for (const MarginSubmission& m : submissions) {
      std::optional<int64_t> id = InsertIfNew(s, m);
      if (id) {
        results.push_back(*id);
      } else {
        results.push_back(absl::AlreadyExistsError("idempotency key already used"));
      }
    }
    for (const AuditRecord& r : audits) InsertAudit(s, r);
    return results;
  });
}

}  // namespace riskcap::db
