// Internal to db/: the tables a backup copies, read from the database's own catalog (so a table a
// later migration adds is copied without a code change), in an order that satisfies the foreign
// keys, with the SQL the backup runs on each.
#pragma once

#include <soci/soci.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "db/store_url.h"

namespace riskcap::db {

struct ForeignKey {
  std::string table;
  std::string column;
  std::string references;  // the referenced table
};

struct TableSchema {
  std::string name;
  std::vector<std::string> columns;       // sorted by name: the same order on both backends
  std::vector<std::string> key;           // primary key columns, in key order
  std::vector<std::string> text_columns;  // of type text (ordered byte-wise on PostgreSQL)
  // Foreign-key columns that reference this table or one copied after it (job_runs and
  // snapshot_versions reference each other): inserted as NULL, set once every table is loaded.
  std::vector<std::string> deferred;
};

// Every base table of the current schema except schema_migrations (the migrator writes the
// target's own), in copy order. FailedPrecondition when a table has no primary key.
absl::StatusOr<std::vector<TableSchema>> ReadBackupSchema(Backend backend, soci::session& session);

// Orders `tables` so that each comes after the tables it references (ties and cycles broken by
// name) and fills in their deferred columns. Pure; exposed for tests.
std::vector<TableSchema> OrderForCopy(std::vector<TableSchema> tables,
                                      const std::vector<ForeignKey>& keys);

// SELECT of every column (in `columns` order) in primary-key order; text keys compare byte-wise
// on both backends (COLLATE "C" on PostgreSQL, SQLite's BINARY), so both list rows alike.
std::string SelectAllSql(Backend backend, const TableSchema& table);
// SELECT of the key then the deferred columns, of rows where any deferred column is set.
std::string SelectDeferredSql(Backend backend, const TableSchema& table);
// UPDATE setting the deferred columns ($1..) of the row with the given key (the $ after them).
std::string UpdateDeferredSql(const TableSchema& table);
// "SELECT count(*) FROM <table>".
std::string CountSql(const TableSchema& table);
// An identifier quoted for either dialect.
std::string Quoted(const std::string& identifier);

}  // namespace riskcap::db
