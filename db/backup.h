// Backup: a verified copy of every table of a store into another store, in either direction
// between SQLite and PostgreSQL (PostgreSQL -> SQLite file is the usual backup; SQLite ->
// PostgreSQL is the restore path). The source is read as one consistent snapshot.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "db/audit_verify.h"
#include "db/store.h"

namespace riskcap::db {

struct BackupOptions {
  // PostgreSQL target only: replace the rows of a non-empty target database. Without it a target
  // holding any row is refused. (A SQLite target file is always replaced whole.)
  bool replace = false;
  // Rows read, held and written at a time.
  size_t chunk_rows = 4096;
  // Called after each chunk with the table being copied and rows done / expected over all tables.
  std::function<void(std::string_view table, int64_t rows_done, int64_t rows_expected)> progress;
  // Called between chunks; a non-OK status (e.g. Cancelled) stops the backup, which then applies
  // nothing and returns that status.
  std::function<absl::Status()> checkpoint;
  // Called after each table is loaded, before the next one starts (tests use it to pause).
  std::function<void(std::string_view table)> after_table;
  // The job run doing this backup (0: none). The source holds it RUNNING; the copy records it
  // SUCCEEDED, finished at `own_run_finished_at`, because the copy exists only once the backup
  // has succeeded, and a restored store must not hold a run that looks alive but never ends (it
  // would block the next backup of that date until swept as abandoned). The report's hashes are
  // those of the copy.
  int64_t own_run_id = 0;
  absl::Time own_run_finished_at;
  // How the copy's audit chain is checked before the copy is applied (with the server's key as
  // `trusted_public_key` when it has one, a checkpoint signed by another key is refused).
  AuditVerifyOptions audit;
};

struct TableReport {
  std::string table;
  int64_t rows = 0;
  // Lowercase hex SHA-256 over the table's column names and every row in primary-key order, in a
  // canonical text that is the same on both backends (db/internal/backup_rows.h).
  std::string sha256;
};

struct BackupReport {
  std::string target;  // the target URL with any password redacted
  int schema_version = 0;
  std::vector<TableReport> tables;  // sorted by table name
  int64_t total_rows = 0;
  // SHA-256 over "<table> <rows> <sha256>\n" of every table in name order: equal for equal data.
  std::string content_hash;
  // Sealed audit records whose chain (and checkpoint signatures) the copy was checked against.
  int64_t audit_records = 0;
};

// Copies every table of `source` (at the current schema version) into the store at `target_url`,
// which is migrated to the same version first, then verifies each table's row count and hash on
// the target against the source's. Memory stays bounded by `chunk_rows` whatever the table sizes.
// - SQLite target: written to "<path>.partial" beside it and renamed over it only once verified
//   and synced; a failed, cancelled or killed backup leaves the previous file untouched
//   (FailedPrecondition while another backup to the same path runs).
// - PostgreSQL target: loaded and verified in one transaction; FailedPrecondition when it holds
//   any row and `replace` is not set.
// Before anything is created, a SQLite target must pass CheckSqliteTarget (no symbolic link, no
// non-database file) and CheckTargetSparesStore against a SQLite source (db/backup_target.h).
// Verification also recomputes the copy's audit chain (db/audit_verify.h): a backup of a store
// whose audit log was altered, or that holds a forged checkpoint, is refused like a bad copy.
// InvalidArgument for a bad or in-memory target URL, a refused target file or a target that is
// the source itself (or one of its files); DataLoss when verification finds a difference
// or a broken audit chain (nothing is applied).
absl::StatusOr<BackupReport> Backup(Store& source, const std::string& target_url,
                                    const BackupOptions& options = {});

// The report Backup would give for `store`'s current content, read in one snapshot without
// copying: what a backup of it must match (checks a backup file before a restore).
absl::StatusOr<BackupReport> HashStore(Store& store);

}  // namespace riskcap::db
