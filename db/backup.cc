// Backup orchestration: snapshot the source, prepare the target, copy table by table, verify.
#include "db/backup.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "db/internal/audit_verify_sql.h"
#include "db/internal/backup_file.h"
#include "db/internal/backup_rows.h"
#include "db/internal/backup_schema.h"
#include "db/backup_target.h"
#include "db/internal/bulk_insert.h"
#include "db/internal/database.h"
#include "db/internal/migrator.h"
#include "db/sha256.h"

namespace riskcap::db {
namespace {

using Tables = std::vector<TableSchema>;

constexpr size_t kHashChunkRows = 4096;

// One side of the copy: a session inside its open transaction.
struct Side {
  Backend backend;
  soci::session& session;
};

const TableSchema* Find(const Tables& tables, const std::string& name) {
  for (const TableSchema& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

absl::Status CheckSameTables(const Tables& source, const Tables& target) {
  for (const TableSchema& s : source) {
    const TableSchema* t = Find(target, s.name);
    if (t == nullptr || t->columns != s.columns || t->key != s.key) {
      return absl::FailedPreconditionError(absl::StrCat(
          "target table ", s.name, t == nullptr ? " is missing" : " has other columns or key",
          " although both stores are at the same schema version"));
    }
  }
  if (source.size() != target.size()) {
    return absl::FailedPreconditionError("the target has tables the source does not have");
  }
  return absl::OkStatus();
}

absl::StatusOr<TableReport> HashTable(Side side, const TableSchema& table, size_t chunk_rows) {
  ASSIGN_OR_RETURN(auto cursor,
                   OpenRowCursor(side.backend, side.session, SelectAllSql(side.backend, table)));
  TableHasher hasher(table.columns);
  std::vector<Row> rows;
  do {
    RETURN_IF_ERROR(cursor->Next(chunk_rows, &rows));
    for (const Row& row : rows) hasher.Add(row);
  } while (!rows.empty());
  return TableReport{table.name, hasher.rows(), hasher.FinishHex()};
}

void WriteCell(const Cell& cell, RowSink& sink) {
  switch (cell.kind) {
    case Cell::Kind::kNull: sink.Null(); break;
    case Cell::Kind::kInt: sink.Int(cell.int_value); break;
    case Cell::Kind::kDouble: sink.Double(cell.double_value); break;
    case Cell::Kind::kText: sink.Text(cell.text); break;
  }
}

// Rewrites the backup's own job run, RUNNING in the source, as SUCCEEDED in the copy
// (BackupOptions::own_run_id).
class OwnRunMarker {
 public:
  OwnRunMarker(const TableSchema& table, const BackupOptions& options) {
    if (table.name != "job_runs" || options.own_run_id <= 0) return;
    own_id_ = options.own_run_id;
    finished_at_us_ = absl::ToUnixMicros(options.own_run_finished_at);
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const std::string& name = table.columns[c];
      if (name == "id") id_ = c;
      if (name == "state") state_ = c;
      if (name == "finished_at_us") finished_ = c;
      if (name == "progress_message") message_ = c;
    }
  }

  void Apply(Row& row) const {
    if (own_id_ <= 0 || id_ >= row.size() || row[id_].kind != Cell::Kind::kInt ||
        row[id_].int_value != own_id_) {
      return;
    }
    SetText(row, state_, "SUCCEEDED");
    SetText(row, message_, "finished: this copy is the backup this run made");
    if (finished_ < row.size()) row[finished_] = Cell{Cell::Kind::kInt, finished_at_us_, 0, ""};
  }

 private:
  static void SetText(Row& row, size_t column, const char* text) {
    if (column < row.size()) row[column] = Cell{Cell::Kind::kText, 0, 0, text};
  }

  static constexpr size_t kNone = static_cast<size_t>(-1);
  int64_t own_id_ = 0;
  int64_t finished_at_us_ = 0;
  size_t id_ = kNone, state_ = kNone, finished_ = kNone, message_ = kNone;
};

// Copies the source snapshot into the target transaction, table by table.
class Copier {
 public:
  Copier(Side source, Side target, const BackupOptions& options, int64_t rows_expected)
      : source_(source), target_(target), options_(options), rows_expected_(rows_expected) {}

  absl::StatusOr<TableReport> CopyTable(const TableSchema& table) {
    ASSIGN_OR_RETURN(auto cursor, OpenRowCursor(source_.backend, source_.session,
                                                SelectAllSql(source_.backend, table)));
    std::vector<std::string_view> columns(table.columns.begin(), table.columns.end());
    std::vector<bool> deferred;
    for (const std::string& c : table.columns) {
      deferred.push_back(std::find(table.deferred.begin(), table.deferred.end(), c) !=
                         table.deferred.end());
    }
    TableHasher hasher(table.columns);
    OwnRunMarker own_run(table, options_);
    std::vector<Row> rows;
    while (true) {
      RETURN_IF_ERROR(Checkpoint());
      RETURN_IF_ERROR(cursor->Next(options_.chunk_rows, &rows));
      if (rows.empty()) break;
      for (Row& row : rows) {
        own_run.Apply(row);
        hasher.Add(row);
      }
      RETURN_IF_ERROR(BulkInsert(target_.backend, target_.session, table.name, columns, rows.size(),
                                 [&](size_t i, RowSink& sink) {
                                   for (size_t c = 0; c < rows[i].size(); ++c) {
                                     if (deferred[c]) {
                                       sink.Null();
                                     } else {
                                       WriteCell(rows[i][c], sink);
                                     }
                                   }
                                 }));
      rows_done_ += static_cast<int64_t>(rows.size());
      if (options_.progress) options_.progress(table.name, rows_done_, rows_expected_);
    }
    return TableReport{table.name, hasher.rows(), hasher.FinishHex()};
  }

  // Sets the deferred foreign-key columns of `table`, now that every table is loaded.
  absl::Status FillDeferred(const TableSchema& table) {
    if (table.deferred.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(auto cursor, OpenRowCursor(source_.backend, source_.session,
                                                SelectDeferredSql(source_.backend, table)));
    ASSIGN_OR_RETURN(auto update, PrepareCellStatement(target_.backend, target_.session,
                                                       UpdateDeferredSql(table)));
    size_t keys = table.key.size();
    std::vector<Row> rows;
    std::vector<const Cell*> params;
    while (true) {
      RETURN_IF_ERROR(Checkpoint());
      RETURN_IF_ERROR(cursor->Next(options_.chunk_rows, &rows));
      if (rows.empty()) return absl::OkStatus();
      for (const Row& row : rows) {  // row: the key, then the deferred columns
        params.clear();
        for (size_t c = keys; c < row.size(); ++c) params.push_back(&row[c]);
        for (size_t c = 0; c < keys; ++c) params.push_back(&row[c]);
        RETURN_IF_ERROR(update->Execute(params));
      }
    }
  }

 private:
  absl::Status Checkpoint() const {
    return options_.checkpoint ? options_.checkpoint() : absl::OkStatus();
  }

  Side source_;
  Side target_;
  const BackupOptions& options_;
  int64_t rows_expected_;
  int64_t rows_done_ = 0;
};

absl::StatusOr<int64_t> CountRows(soci::session& s, const Tables& tables) {
  int64_t total = 0;
  for (const TableSchema& t : tables) {
    long long n = 0;
    s << CountSql(t), soci::into(n);
    total += n;
  }
  return total;
}

// A PostgreSQL target must be empty, or emptied when `replace` is set.
absl::Status PrepareEmptyPostgres(soci::session& s, const Tables& tables, bool replace) {
  std::vector<std::string> names;
  for (const TableSchema& t : tables) {
    int one = 0;
    soci::indicator ind = soci::i_null;
    s << absl::StrCat("SELECT 1 FROM ", Quoted(t.name), " LIMIT 1"), soci::into(one, ind);
    if (s.got_data() && !replace) {
      return absl::FailedPreconditionError(absl::StrCat(
          "target database is not empty (table ", t.name,
          " has rows); back up into an empty database, or pass replace to overwrite it"));
    }
    names.push_back(Quoted(t.name));
  }
  // TRUNCATE fires no row triggers; the audit tables' TRUNCATE guards (0015, 0019) are
  // switched off for this transaction only, which only their owner may do: a restore over a
  // non-empty database is the operator's, never the runtime role's.
  if (!replace || names.empty()) return absl::OkStatus();
  const std::vector<std::string> guards = {"audit_log audit_log_no_truncate",
                                           "audit_chain audit_chain_no_truncate",
                                           "audit_checkpoints audit_checkpoints_no_truncate"};
  auto toggle = [&](const char* action) {
    for (const std::string& guard : guards) {
      std::string table = guard.substr(0, guard.find(' '));
      if (Find(tables, table) == nullptr) continue;
      s << absl::StrCat("ALTER TABLE ", table, " ", action, " TRIGGER ",
                        guard.substr(guard.find(' ') + 1));
    }
  };
  toggle("DISABLE");
  s << absl::StrCat("TRUNCATE ", absl::StrJoin(names, ", "));
  toggle("ENABLE");
  return absl::OkStatus();
}

// Moves each identity sequence past the ids copied in, so new rows get fresh ids.
absl::Status AdvancePostgresSequences(soci::session& s, const Tables& tables) {
  for (const TableSchema& t : tables) {
    if (t.key.size() != 1) continue;
    std::string table = Quoted(t.name), column = t.key[0], sequence;
    soci::indicator ind = soci::i_null;
    s << "SELECT pg_get_serial_sequence(:t, :c)", soci::use(table), soci::use(column),
        soci::into(sequence, ind);
    if (ind == soci::i_null) continue;
    long long max_id = 0;
    soci::indicator max_ind = soci::i_null;
    s << absl::StrCat("SELECT max(", Quoted(column), ") FROM ", table), soci::into(max_id, max_ind);
    if (max_ind == soci::i_null) continue;
    long long set_to = 0;
    s << "SELECT setval(:s, :v)", soci::use(sequence), soci::use(max_id), soci::into(set_to);
  }
  return absl::OkStatus();
}

absl::Status CheckMatches(const std::vector<TableReport>& expected, Side target,
                          const Tables& tables, size_t chunk_rows) {
  for (const TableReport& want : expected) {
    const TableSchema* table = Find(tables, want.table);
    if (table == nullptr)
      return absl::DataLossError("backup verification: table " + want.table + " missing");
    ASSIGN_OR_RETURN(TableReport got, HashTable(target, *table, chunk_rows));
    if (got.rows != want.rows || got.sha256 != want.sha256) {
      return absl::DataLossError(absl::StrCat(
          "backup verification failed: table ", want.table, " has ", got.rows, " rows (sha256 ",
          got.sha256, ") on the target but ", want.rows, " (", want.sha256, ") in the source"));
    }
  }
  return absl::OkStatus();
}

// Copies the source's snapshot into `target` (inside its open write transaction) and, when
// `verify_now`, checks the target before that transaction commits.
absl::StatusOr<std::vector<TableReport>> CopyAll(Database& source, Side target,
                                                 const BackupOptions& options, bool verify_now) {
  return source.Read([&](soci::session& s) -> absl::StatusOr<std::vector<TableReport>> {
    Side from{source.backend(), s};
    ASSIGN_OR_RETURN(Tables tables, ReadBackupSchema(from.backend, s));
    ASSIGN_OR_RETURN(Tables target_tables, ReadBackupSchema(target.backend, target.session));
    RETURN_IF_ERROR(CheckSameTables(tables, target_tables));
    if (target.backend == Backend::kPostgresql) {
      RETURN_IF_ERROR(PrepareEmptyPostgres(target.session, target_tables, options.replace));
    }
    ASSIGN_OR_RETURN(int64_t expected, CountRows(s, tables));
    Copier copier(from, target, options, expected);
    std::vector<TableReport> reports;
    for (const TableSchema& t : tables) {
      ASSIGN_OR_RETURN(TableReport report, copier.CopyTable(t));
      reports.push_back(std::move(report));
      if (options.after_table) options.after_table(t.name);
    }
    for (const TableSchema& t : tables) RETURN_IF_ERROR(copier.FillDeferred(t));
    if (target.backend == Backend::kPostgresql) {
      RETURN_IF_ERROR(AdvancePostgresSequences(target.session, target_tables));
    }
    if (verify_now)
      RETURN_IF_ERROR(CheckMatches(reports, target, target_tables, options.chunk_rows));
    return reports;
  });
}

// Recomputes the copy's audit chain inside `t` (before the copy is applied): a backup of an
// altered audit log must not pass as a good one. The number of sealed records checked.
absl::StatusOr<int64_t> CheckCopiedAuditChain(soci::session& t, const AuditVerifyOptions& options) {
  ASSIGN_OR_RETURN(AuditVerification v, VerifyAuditInSession(t, options));
  if (!v.ok()) {
    return absl::DataLossError(absl::StrCat(
        "backup verification failed: the audit chain of the copy is broken at position ",
        v.position, ": ", AuditBreakName(v.reason), " (", v.detail,
        "); the source's audit log was altered"));
  }
  return v.records;
}

BackupReport MakeReport(const StoreUrl& target, int version, std::vector<TableReport> tables) {
  std::sort(tables.begin(), tables.end(),
            [](const TableReport& a, const TableReport& b) { return a.table < b.table; });
  BackupReport report;
  report.target = target.redacted;
  report.schema_version = version;
  Sha256 sha;
  for (const TableReport& t : tables) {
    report.total_rows += t.rows;
    sha.Update(absl::StrCat(t.table, " ", t.rows, " ", t.sha256, "\n"));
  }
  report.content_hash = sha.FinishHex();
  report.tables = std::move(tables);
  return report;
}

// The partial file is thrown away whole on any failure, so its load needs neither a rollback
// journal nor per-commit syncs: each page is written once, and BackupFile::Sync makes it durable.
absl::Status LoadWithoutJournal(Database& partial) {
  ASSIGN_OR_RETURN(Database::Lease session, partial.Acquire());
  try {
    std::string mode;
    *session << "PRAGMA journal_mode=OFF", soci::into(mode);
    if (mode != "off") {
      return absl::InternalError(absl::StrCat(
          "preparing the backup file: SQLite kept journal mode '", mode, "' instead of 'off'"));
    }
    *session << "PRAGMA synchronous=OFF";
  } catch (const std::exception& e) {
    return StatusFromException(e, "preparing the backup file");
  }
  return absl::OkStatus();
}

absl::StatusOr<BackupReport> BackupToSqlite(Database& source, const StoreUrl& url,
                                            const BackupOptions& options) {
  ASSIGN_OR_RETURN(BackupFile file, BackupFile::Begin(url.target));
  ASSIGN_OR_RETURN(StoreUrl partial, ParseStoreUrl(absl::StrCat("sqlite:", file.partial_path())));
  std::vector<TableReport> tables;
  int version = 0;
  int64_t audit_records = 0;
  {
    ASSIGN_OR_RETURN(auto target, Database::Open(partial, 1));
    ASSIGN_OR_RETURN(version, Migrate(*target));
    RETURN_IF_ERROR(LoadWithoutJournal(*target));
    ASSIGN_OR_RETURN(tables, target->Write([&](soci::session& t) {
      return CopyAll(source, Side{Backend::kSqlite, t}, options, /*verify_now=*/false);
    }));
  }  // the last connection closes: SQLite checkpoints its WAL into the file
  RETURN_IF_ERROR(file.Sync());
  {
    ASSIGN_OR_RETURN(auto written, Database::Open(partial, 1));
    RETURN_IF_ERROR(written->Read([&](soci::session& t) -> absl::Status {
      Side side{Backend::kSqlite, t};
      ASSIGN_OR_RETURN(Tables written_tables, ReadBackupSchema(side.backend, t));
      RETURN_IF_ERROR(CheckMatches(tables, side, written_tables, options.chunk_rows));
      ASSIGN_OR_RETURN(audit_records, CheckCopiedAuditChain(t, options.audit));
      return absl::OkStatus();
    }));
  }
  RETURN_IF_ERROR(file.Commit());
  BackupReport report = MakeReport(url, version, std::move(tables));
  report.audit_records = audit_records;
  return report;
}

absl::StatusOr<std::string> PostgresIdentity(soci::session& s) {
  std::string identity;
  s << "SELECT current_database() || ' ' || COALESCE(host(inet_server_addr()), 'local') || ' '"
       " || COALESCE(inet_server_port()::text, '') || ' ' || current_schema()",
      soci::into(identity);
  return identity;
}

absl::Status CheckNotSource(Database& source, soci::session& target_session) {
  if (source.backend() != Backend::kPostgresql) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string target, PostgresIdentity(target_session));
  ASSIGN_OR_RETURN(std::string own,
                   source.Read([](soci::session& s) { return PostgresIdentity(s); }));
  if (own == target) {
    return absl::InvalidArgumentError("the backup target is the source database itself");
  }
  return absl::OkStatus();
}

absl::StatusOr<BackupReport> BackupToPostgres(Database& source, const StoreUrl& url,
                                              const BackupOptions& options) {
  ASSIGN_OR_RETURN(auto target, Database::Open(url, 1));
  ASSIGN_OR_RETURN(int version, Migrate(*target));
  int64_t audit_records = 0;
  auto load = [&](soci::session& t) -> absl::StatusOr<std::vector<TableReport>> {
    RETURN_IF_ERROR(CheckNotSource(source, t));
    ASSIGN_OR_RETURN(std::vector<TableReport> copied,
                     CopyAll(source, Side{Backend::kPostgresql, t}, options, /*verify_now=*/true));
    ASSIGN_OR_RETURN(audit_records, CheckCopiedAuditChain(t, options.audit));
    return copied;
  };
  ASSIGN_OR_RETURN(std::vector<TableReport> tables, target->Write(load));
  BackupReport report = MakeReport(url, version, std::move(tables));
  report.audit_records = audit_records;
  return report;
}

// The checks a target passes before anything is created for it.
absl::Status CheckTarget(const StoreUrl& url, const Database& source) {
  if (url.in_memory()) {
    return absl::InvalidArgumentError(
        "backup target sqlite::memory: would vanish at once; give a file");
  }
  if (url.backend != Backend::kSqlite) return absl::OkStatus();
  if (source.backend() == Backend::kSqlite && !source.url().in_memory()) {
    RETURN_IF_ERROR(CheckTargetSparesStore(url.target, source.url().target));
  }
  return CheckSqliteTarget(url.target);
}

}  // namespace

absl::StatusOr<BackupReport> Backup(Store& source, const std::string& target_url,
                                    const BackupOptions& options) {
  ASSIGN_OR_RETURN(StoreUrl url, ParseStoreUrl(target_url));
  Database& db = source.database();
  RETURN_IF_ERROR(CheckTarget(url, db));
  RETURN_IF_ERROR(CheckSchemaCurrent(db));
  BackupOptions bounded = options;
  if (bounded.chunk_rows == 0) bounded.chunk_rows = 1;
  if (url.backend == Backend::kSqlite) return BackupToSqlite(db, url, bounded);
  return BackupToPostgres(db, url, bounded);
}

absl::StatusOr<BackupReport> HashStore(Store& store) {
  Database& db = store.database();
  ASSIGN_OR_RETURN(int version, SchemaVersion(db));
  auto hash_all = [&](soci::session& s) -> absl::StatusOr<std::vector<TableReport>> {
    ASSIGN_OR_RETURN(Tables schema, ReadBackupSchema(db.backend(), s));
    std::vector<TableReport> out;
    for (const TableSchema& t : schema) {
      ASSIGN_OR_RETURN(TableReport r, HashTable(Side{db.backend(), s}, t, kHashChunkRows));
      out.push_back(std::move(r));
    }
    return out;
  };
  ASSIGN_OR_RETURN(std::vector<TableReport> tables, db.Read(hash_all));
  return MakeReport(db.url(), version, std::move(tables));
}

}  // namespace riskcap::db
