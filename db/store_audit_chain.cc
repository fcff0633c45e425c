// Store methods of the audit chain: sealing unsealed records, checkpoints, and verification
// (db/audit_chain.h, db/audit_verify.h; migrations 0015 and 0019).
#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/internal/audit_rows.h"
#include "db/internal/audit_verify_sql.h"
#include "db/internal/bulk_insert.h"
#include "db/internal/database.h"
#include "db/internal/row_reader.h"
#include "db/store.h"

namespace riskcap::db {
namespace {

constexpr char kCheckpointColumns[] =
    "id, chain_pos, head_hash, at_us, public_key, signature FROM audit_checkpoints";

struct Unsealed {
  int64_t id;
  AuditRecord record;
};

// A range of record ids a sealing round passed over (audit_chain_gaps).
struct Gap {
  int64_t first_id;
  int64_t last_id;
  int64_t since_us;
};

AuditCheckpoint ReadCheckpoint(const soci::row& row) {
  RowReader r(row);
  AuditCheckpoint c;
  c.id = r.Int();
  c.position = r.Int();
  c.head_hash = r.Str();
  c.at_us = r.Int();
  c.public_key = r.Str();
  c.signature = r.Str();
  return c;
}

Store::AuditHead ReadHead(soci::session& s) {
  Store::AuditHead head{0, kAuditGenesisHash};
  soci::rowset<soci::row> rows = (s.prepare << "SELECT chain_pos, chain_hash FROM audit_chain"
                                               " ORDER BY chain_pos DESC LIMIT 1");
  for (const soci::row& row : rows) {
    RowReader r(row);
    head.position = r.Int();
    head.hash = r.Str();
  }
  return head;
}

// The highest record id in the chain: every record past it is unsealed.
int64_t ReadSealedIdFloor(soci::session& s) {
  long long floor = 0;
  soci::indicator ind = soci::i_null;
  s << "SELECT MAX(audit_id) FROM audit_chain", soci::into(floor, ind);
  return ind == soci::i_ok ? floor : 0;
}

std::vector<Unsealed> ReadRecords(soci::session& s, const std::string& sql, long long bound,
                                  int max_rows) {
  std::vector<Unsealed> out;
  if (max_rows <= 0) return out;
  soci::rowset<soci::row> rows = (s.prepare << sql, soci::use(bound), soci::use(max_rows));
  for (const soci::row& row : rows) {
    RowReader r(row);
    int64_t id = r.Int();
    out.push_back({id, ReadAuditContent(r)});
  }
  return out;
}

constexpr char kNotSealed[] =
    "NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)";

// Unsealed records at or below `floor`, in id order: when sweeping, any (a scan of audit_log);
// else those in `gaps`, ranges no committed record held when a round passed them.
std::vector<Unsealed> ReadLateRecords(soci::session& s, int64_t floor, bool sweep,
                                      const std::vector<Gap>& gaps, int max_rows) {
  const std::string select = absl::StrCat("SELECT ", kAuditRowColumns, " FROM audit_log a WHERE ");
  if (sweep) {
    return ReadRecords(
        s, absl::StrCat(select, "a.id <= :floor AND ", kNotSealed, " ORDER BY a.id LIMIT :n"),
        floor, max_rows);
  }
  std::vector<Unsealed> out;
  for (const Gap& g : gaps) {
    const int left = max_rows - static_cast<int>(out.size());
    if (left <= 0) break;
    std::vector<Unsealed> found = ReadRecords(
        s,
        absl::StrCat(select, "a.id >= :first AND a.id <= ", g.last_id, " AND ", kNotSealed,
                     " ORDER BY a.id LIMIT :n"),
        g.first_id, left);
    out.insert(out.end(), std::make_move_iterator(found.begin()),
               std::make_move_iterator(found.end()));
  }
  return out;
}

std::vector<Unsealed> ReadNewRecords(soci::session& s, int64_t floor, int max_rows) {
  return ReadRecords(s,
                     absl::StrCat("SELECT ", kAuditRowColumns,
                                  " FROM audit_log a WHERE a.id > :floor ORDER BY a.id LIMIT :n"),
                     floor, max_rows);
}

std::vector<Gap> ReadGaps(soci::session& s) {
  std::vector<Gap> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT first_id, last_id, since_us FROM audit_chain_gaps ORDER BY first_id");
  for (const soci::row& row : rows) {
    RowReader r(row);
    Gap g;
    g.first_id = r.Int();
    g.last_id = r.Int();
    g.since_us = r.Int();
    out.push_back(g);
  }
  return out;
}

// `gaps` without the ids of `found` (sorted) and without ranges noticed before `expired_before`,
// plus the ids between `floor` and the last of `fresh` (sorted, all past `floor`) that `fresh`
// skips, noticed at `now_us`.
std::vector<Gap> NextGaps(const std::vector<Gap>& gaps, const std::vector<Unsealed>& found,
                          int64_t floor, const std::vector<Unsealed>& fresh, int64_t now_us,
                          int64_t expired_before) {
  std::vector<Gap> out;
  size_t f = 0;
  for (Gap g : gaps) {
    if (g.since_us < expired_before) continue;
    while (f < found.size() && found[f].id < g.first_id) ++f;
    for (; f < found.size() && found[f].id <= g.last_id; ++f) {
      if (found[f].id > g.first_id) out.push_back({g.first_id, found[f].id - 1, g.since_us});
      g.first_id = found[f].id + 1;
    }
    if (g.first_id <= g.last_id) out.push_back(g);
  }
  int64_t previous = floor;
  for (const Unsealed& row : fresh) {
    if (row.id > previous + 1) out.push_back({previous + 1, row.id - 1, now_us});
    previous = row.id;
  }
  return out;
}

void WriteGaps(soci::session& s, const std::vector<Gap>& gaps) {
  s << "DELETE FROM audit_chain_gaps";
  long long first = 0, last = 0, since = 0;
  soci::statement st = (s.prepare << "INSERT INTO audit_chain_gaps (first_id, last_id, since_us)"
                                     " VALUES (:f, :l, :t)",
                        soci::use(first), soci::use(last), soci::use(since));
  for (const Gap& g : gaps) {
    first = g.first_id;
    last = g.last_id;
    since = g.since_us;
    st.execute(true);
  }
}

bool SameGaps(const std::vector<Gap>& a, const std::vector<Gap>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Gap& x, const Gap& y) {
    return x.first_id == y.first_id && x.last_id == y.last_id && x.since_us == y.since_us;
  });
}

// Appends the chain rows by the bulk path (COPY on PostgreSQL): cheaper per row for the
// database than an INSERT of parsed arrays, and the sealer shares the machine with the writers.
absl::Status WriteSeals(soci::session& s, Backend backend, const std::vector<Unsealed>& rows,
                        int64_t first_position, const std::vector<std::string>& hashes) {
  static constexpr std::string_view kColumns[] = {"chain_pos", "audit_id", "chain_hash"};
  return BulkInsert(backend, s, "audit_chain", kColumns, rows.size(),
                    [&](size_t i, RowSink& sink) {
                      sink.Int(first_position + static_cast<int64_t>(i));
                      sink.Int(rows[i].id);
                      sink.Text(hashes[i]);
                    });
}

}  // namespace

absl::StatusOr<int64_t> Store::SealAudit(const AuditSeal& seal, int64_t* head_position) {
  if (seal.max_rows <= 0) return absl::InvalidArgumentError("max_rows must be > 0");
  Backend backend = this->backend();
  int64_t position = 0;
  const int64_t now_us = absl::ToUnixMicros(seal.now);
  const int64_t expired_before = absl::ToUnixMicros(seal.now - kAuditGapExpiry);
  absl::StatusOr<int64_t> sealed = db_->Write([&](soci::session& s) -> absl::StatusOr<int64_t> {
    if (backend == Backend::kPostgresql) {
      // One sealer at a time per schema, across replicas; released at commit.
      s << "SELECT pg_advisory_xact_lock(hashtext('audit_seal'), hashtext(current_schema()))";
    }
    AuditHead head = ReadHead(s);
    const int64_t floor = ReadSealedIdFloor(s);
    // Late records first (their ids are below the floor), then the new ones past it, in id
    // order each; a gap is what the new ones skip, looked at again by the next rounds.
    std::vector<Gap> gaps = ReadGaps(s);
    std::vector<Unsealed> rows = ReadLateRecords(s, floor, seal.sweep, gaps, seal.max_rows);
    std::vector<Unsealed> fresh =
        ReadNewRecords(s, floor, seal.max_rows - static_cast<int>(rows.size()));
    std::vector<Gap> next = NextGaps(gaps, rows, floor, fresh, now_us, expired_before);
    if (!SameGaps(gaps, next)) WriteGaps(s, next);
    rows.insert(rows.end(), std::make_move_iterator(fresh.begin()),
                std::make_move_iterator(fresh.end()));
    position = head.position + static_cast<int64_t>(rows.size());
    if (rows.empty()) return int64_t{0};
    std::vector<std::string> hashes;
    hashes.reserve(rows.size());
    std::string prev = head.hash;
    for (size_t i = 0; i < rows.size(); ++i) {
      prev = AuditChainHash(prev, head.position + 1 + static_cast<int64_t>(i), rows[i].record);
      hashes.push_back(prev);
    }
    RETURN_IF_ERROR(WriteSeals(s, backend, rows, head.position + 1, hashes));
    return static_cast<int64_t>(rows.size());
  });
  if (sealed.ok() && head_position != nullptr) *head_position = position;
  return sealed;
}

absl::StatusOr<int64_t> Store::SealAudit(int max_rows, int64_t* head_position) {
  return SealAudit(AuditSeal{.max_rows = max_rows}, head_position);
}

absl::StatusOr<int64_t> Store::SealAllAudit(int64_t* head_position, bool sweep) {
  int64_t total = 0;
  while (true) {
    ASSIGN_OR_RETURN(int64_t sealed, SealAudit(AuditSeal{.sweep = sweep}, head_position));
    total += sealed;
    if (sealed < kAuditSealBatch) return total;
  }
}

absl::StatusOr<Store::AuditHead> Store::AuditChainHead() {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<AuditHead> { return ReadHead(s); });
}

absl::Status Store::AppendAuditCheckpoint(const AuditCheckpoint& c) {
  return db_->Write([&](soci::session& s) -> absl::Status {
    long long position = c.position, at_us = c.at_us;
    s << "INSERT INTO audit_checkpoints (chain_pos, head_hash, at_us, public_key, signature)"
         " VALUES (:p, :h, :at, :k, :s)",
        soci::use(position), soci::use(c.head_hash), soci::use(at_us), soci::use(c.public_key),
        soci::use(c.signature);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<AuditCheckpoint>> Store::LatestAuditCheckpoint() {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::optional<AuditCheckpoint>> {
    soci::rowset<soci::row> rows =
        (s.prepare << absl::StrCat("SELECT ", kCheckpointColumns, " ORDER BY id DESC LIMIT 1"));
    for (const soci::row& row : rows) return ReadCheckpoint(row);
    return std::nullopt;
  });
}

absl::StatusOr<AuditVerification> VerifyAuditInSession(soci::session& s,
                                                       const AuditVerifyOptions& options) {
  std::vector<AuditCheckpoint> checkpoints;
  soci::rowset<soci::row> cps =
      (s.prepare << absl::StrCat("SELECT ", kCheckpointColumns, " ORDER BY id"));
  for (const soci::row& row : cps) checkpoints.push_back(ReadCheckpoint(row));
  // The chain is in audit_chain from schema version 19; versions 15 to 18 kept it in two columns
  // of audit_log (a backup file of theirs is verified as it is, without migrating it).
  long long version = 0;
  s << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", soci::into(version);
  if (version < 15) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the store is at schema version ", version,
        ", before the audit chain (migration 0015): migrate it first, or there is no chain"));
  }
  const bool in_columns = version < 19;
  long long unsealed = 0;
  s << (in_columns ? std::string("SELECT COUNT(*) FROM audit_log WHERE chain_pos IS NULL")
                   : absl::StrCat("SELECT COUNT(*) FROM audit_log a WHERE ", kNotSealed)),
      soci::into(unsealed);
  // A chain row whose record is gone drops out of the join: the walk sees its position missing.
  soci::rowset<soci::row> rows =
      (s.prepare << (in_columns
                         ? absl::StrCat("SELECT chain_pos, chain_hash, ", kAuditContentColumns,
                                        " FROM audit_log WHERE chain_pos IS NOT NULL"
                                        " ORDER BY chain_pos, id")
                         : absl::StrCat("SELECT c.chain_pos, c.chain_hash, ", kAuditContentColumns,
                                        " FROM audit_chain c JOIN audit_log a ON a.id = c.audit_id"
                                        " ORDER BY c.chain_pos, a.id")));
  auto it = rows.begin();
  SealedRowSource source = [&]() -> absl::StatusOr<std::optional<SealedAuditRow>> {
    if (it == rows.end()) return std::nullopt;
    RowReader r(*it);
    SealedAuditRow row;
    row.position = r.Int();
    row.hash = r.Str();
    row.record = ReadAuditContent(r);
    ++it;
    return row;
  };
  ASSIGN_OR_RETURN(AuditVerification result, VerifyAuditChain(source, checkpoints, options));
  result.unsealed = unsealed;
  return result;
}

absl::StatusOr<AuditVerification> Store::VerifyAudit(const AuditVerifyOptions& options) {
  return db_->Read([&](soci::session& s) { return VerifyAuditInSession(s, options); });
}

}  // namespace riskcap::db
