// Store methods of the audit chain: sealing unsealed records, checkpoints, and verification
// (db/audit_chain.h, db/audit_verify.h; migration 0015).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/status_macros.h"
#include "db/audit_rows.h"
#include "db/audit_verify_sql.h"
#include "db/database.h"
#include "db/row_reader.h"
#include "db/store.h"

namespace riskcap::db {
namespace {

constexpr char kCheckpointColumns[] =
    "id, chain_pos, head_hash, at_us, public_key, signature FROM audit_checkpoints";

struct Unsealed {
  int64_t id;
  AuditRecord record;
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
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT chain_pos, chain_hash FROM audit_log WHERE chain_pos IS NOT NULL"
                    " ORDER BY chain_pos DESC LIMIT 1");
  for (const soci::row& row : rows) {
    RowReader r(row);
    head.position = r.Int();
    head.hash = r.Str();
  }
  return head;
}

std::vector<Unsealed> ReadUnsealed(soci::session& s, int max_rows) {
  std::vector<Unsealed> out;
  soci::rowset<soci::row> rows =
      (s.prepare << absl::StrCat("SELECT ", kAuditRowColumns,
                                 " FROM audit_log WHERE chain_pos IS NULL ORDER BY id LIMIT :n"),
       soci::use(max_rows));
  for (const soci::row& row : rows) {
    RowReader r(row);
    int64_t id = r.Int();
    out.push_back({id, ReadAuditContent(r)});
  }
  return out;
}

// One UPDATE for the whole batch on PostgreSQL (arrays as literals: SOCI's vector binding
// re-sends its first batch there); a prepared UPDATE per row on SQLite, where that is cheap.
void WriteSeals(soci::session& s, Backend backend, const std::vector<Unsealed>& rows,
                int64_t first_position, const std::vector<std::string>& hashes) {
  if (backend == Backend::kPostgresql) {
    std::vector<std::string> ids, positions;
    for (size_t i = 0; i < rows.size(); ++i) {
      ids.push_back(std::to_string(rows[i].id));
      positions.push_back(std::to_string(first_position + static_cast<int64_t>(i)));
    }
    std::string id_array = absl::StrCat("{", absl::StrJoin(ids, ","), "}");
    std::string pos_array = absl::StrCat("{", absl::StrJoin(positions, ","), "}");
    std::string hash_array = absl::StrCat("{", absl::StrJoin(hashes, ","), "}");
    s << "UPDATE audit_log AS a SET chain_pos = v.p, chain_hash = v.h FROM unnest("
         "CAST(:ids AS BIGINT[]), CAST(:ps AS BIGINT[]), CAST(:hs AS TEXT[])) AS v(id, p, h)"
         " WHERE a.id = v.id",
        soci::use(id_array), soci::use(pos_array), soci::use(hash_array);
    return;
  }
  long long id = 0, position = 0;
  std::string hash;
  soci::statement st = (s.prepare << "UPDATE audit_log SET chain_pos = :p, chain_hash = :h"
                                     " WHERE id = :id",
                        soci::use(position), soci::use(hash), soci::use(id));
  for (size_t i = 0; i < rows.size(); ++i) {
    id = rows[i].id;
    position = first_position + static_cast<long long>(i);
    hash = hashes[i];
    st.execute(true);
  }
}

}  // namespace

absl::StatusOr<int64_t> Store::SealAudit(int max_rows, int64_t* head_position) {
  if (max_rows <= 0) return absl::InvalidArgumentError("max_rows must be > 0");
  Backend backend = this->backend();
  int64_t position = 0;
  absl::StatusOr<int64_t> sealed = db_->Write([&](soci::session& s) -> absl::StatusOr<int64_t> {
    if (backend == Backend::kPostgresql) {
      // One sealer at a time per schema, across replicas; released at commit.
      s << "SELECT pg_advisory_xact_lock(hashtext('audit_seal'), hashtext(current_schema()))";
    }
    AuditHead head = ReadHead(s);
    std::vector<Unsealed> rows = ReadUnsealed(s, max_rows);
    position = head.position + static_cast<int64_t>(rows.size());
    if (rows.empty()) return int64_t{0};
    std::vector<std::string> hashes;
    hashes.reserve(rows.size());
    std::string prev = head.hash;
    for (size_t i = 0; i < rows.size(); ++i) {
      prev = AuditChainHash(prev, head.position + 1 + static_cast<int64_t>(i), rows[i].record);
      hashes.push_back(prev);
    }
    WriteSeals(s, backend, rows, head.position + 1, hashes);
    return static_cast<int64_t>(rows.size());
  });
  if (sealed.ok() && head_position != nullptr) *head_position = position;
  return sealed;
}

absl::StatusOr<int64_t> Store::SealAllAudit(int64_t* head_position) {
  int64_t total = 0;
  while (true) {
    ASSIGN_OR_RETURN(int64_t sealed, SealAudit(kAuditSealBatch, head_position));
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
  long long unsealed = 0;
  s << "SELECT COUNT(*) FROM audit_log WHERE chain_pos IS NULL", soci::into(unsealed);
  soci::rowset<soci::row> rows =
      (s.prepare << absl::StrCat("SELECT chain_pos, chain_hash, ", kAuditContentColumns,
                                 " FROM audit_log WHERE chain_pos IS NOT NULL"
                                 " ORDER BY chain_pos, id"));
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
