// Applies the embedded SQL migrations forward-only, each in its own transaction, recording each
// with a checksum in schema_migrations.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "db/internal/database.h"

namespace riskcap::db {

struct Migration {
  int version = 0;   // from the file name's numeric prefix, "0001_init.sql" -> 1
  std::string name;  // the file name
  std::string sql;
  std::string checksum;  // hex SHA-256 of sql
  // Checksums of earlier texts of this migration that differed only in comments, accepted from
  // databases that applied them (kCommentOnlyRevisions in db/internal/migrator.cc).
  std::vector<std::string> former_checksums;
};

// The migrations compiled in for `backend`, in version order.
std::vector<Migration> MigrationsFor(Backend backend);

// Applies pending migrations and returns the resulting schema version. Refuses, changing nothing,
// with FailedPrecondition when an applied migration's checksum differs from the compiled one
// (the file was edited after release) or the database has a version this binary does not know
// (it was migrated by a newer riskcapd). Safe to run concurrently from several processes.
absl::StatusOr<int> Migrate(Database& db);

// As Migrate, but applies only the pending migrations numbered up to `max_version` (tests use it
// to seed data at an older schema version, then migrate it forward).
absl::StatusOr<int> MigrateUpTo(Database& db, int max_version);

// The highest applied version (0 for an empty database), after the same checks as Migrate.
absl::StatusOr<int> SchemaVersion(Database& db);

// Verifies without applying anything: OK when the database is exactly at the compiled version.
absl::Status CheckSchemaCurrent(Database& db);

}  // namespace riskcap::db
