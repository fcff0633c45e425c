// Forward-only migrations runner.
#include "db/internal/migrator.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/internal/embedded_migrations.h"
#include "db/sha256.h"

namespace riskcap::db {
namespace {

constexpr char kCreateTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,"
    " applied_at_us BIGINT NOT NULL)";
// Serialises migrators across processes sharing one PostgreSQL database.
constexpr char kPgLock[] = "SELECT pg_advisory_xact_lock(727365)";

// version -> checksum of what the database has applied.
using Applied = std::map<int, std::string>;

Applied ReadApplied(soci::session& s) {
  Applied applied;
  soci::rowset<soci::row> rows = (s.prepare << "SELECT version, checksum FROM schema_migrations");
  for (const soci::row& r : rows) applied[r.get<int>(0)] = r.get<std::string>(1);
  return applied;
}

// Checks the applied set against the compiled one.
absl::Status Verify(const Applied& applied, const std::vector<Migration>& known) {
  int latest_known = known.empty() ? 0 : known.back().version;
  for (const auto& [version, checksum] : applied) {
    if (version > latest_known) {
      return absl::FailedPreconditionError(absl::StrCat(
          "database schema version ", version, " is newer than this riskcapd, which knows up to ",
          latest_known, "; upgrade riskcapd"));
    }
    auto it = std::find_if(known.begin(), known.end(),
                           [&](const Migration& m) { return m.version == version; });
    bool matches = it != known.end() &&
                   (it->checksum == checksum ||
                    std::find(it->former_checksums.begin(), it->former_checksums.end(),
                              checksum) != it->former_checksums.end());
    if (!matches) {
      return absl::FailedPreconditionError(absl::StrCat(
          "migration ", version, " applied to this database has checksum ", checksum,
          " but the compiled one is ", it == known.end() ? "missing" : it->checksum,
          "; migrations must never change after release"));
    }
  }
  return absl::OkStatus();
}

void Lock(Database& db, soci::session& s) {
  if (db.backend() == Backend::kPostgresql) s << kPgLock;
}

// In one transaction: lock, check, apply `m` if still pending. Returns whether it applied.
absl::StatusOr<bool> ApplyOne(Database& db, const Migration& m, const std::vector<Migration>& known) {
  return db.Write([&](soci::session& s) -> absl::StatusOr<bool> {
    Lock(db, s);
    Applied applied = ReadApplied(s);
    RETURN_IF_ERROR(Verify(applied, known));
    if (applied.count(m.version) > 0) return false;
    absl::Status st = db.ExecScript(s, m.sql);
    if (!st.ok()) {
      return absl::InternalError(absl::StrCat("migration ", m.name, ": ", st.message()));
    }
    long long now = absl::ToUnixMicros(absl::Now());
    s << "INSERT INTO schema_migrations (version, name, checksum, applied_at_us)"
         " VALUES (:v, :n, :c, :t)",
        soci::use(m.version), soci::use(m.name), soci::use(m.checksum), soci::use(now);
    return true;
  });
}

absl::Status EnsureTable(Database& db) {
  return db.Write([&](soci::session& s) -> absl::Status {
    Lock(db, s);
    if (db.backend() == Backend::kPostgresql) {
      // A runtime role without CREATE on the schema (docs/operations.md) may not even run
      // CREATE TABLE IF NOT EXISTS: create the table only when it is missing.
      int exists = 0;
      s << "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END",
          soci::into(exists);
      if (exists == 1) return absl::OkStatus();
    }
    s << kCreateTable;
    return absl::OkStatus();
  });
}

// Migrations whose comments were reworded after release (SQL unchanged): the checksum of the
// text databases may have recorded. Only comments may ever change, and each change adds a line.
struct CommentOnlyRevision {
  std::string_view dialect;
  int version;
  std::string_view former_checksum;
};
constexpr CommentOnlyRevision kCommentOnlyRevisions[] = {
    // 0004: its comments cited a product text kept outside the repository; now docs/rules.md.
    {"sqlite", 4, "9d63e3779645339cf250d660b305aeb2170abbde113f3352adf5a5f4eb375296"},
    {"postgresql", 4, "b7a0d03984c72f2ed107d16e7570318ca514df8a68ce35c1d20cf15139618bde"},
};

}  // namespace

std::vector<Migration> MigrationsFor(Backend backend) {
  std::vector<Migration> out;
  for (const EmbeddedMigration& e : EmbeddedMigrations()) {
    if (e.dialect != BackendName(backend)) continue;
    Migration m;
    m.version = std::atoi(std::string(e.name.substr(0, e.name.find('_'))).c_str());
    m.name = std::string(e.name);
    m.sql = std::string(e.sql);
    m.checksum = Sha256Hex(m.sql);
    for (const CommentOnlyRevision& r : kCommentOnlyRevisions) {
      if (r.dialect == e.dialect && r.version == m.version) {
        m.former_checksums.emplace_back(r.former_checksum);
      }
    }
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return out;
}

absl::StatusOr<int> Migrate(Database& db) {
  return MigrateUpTo(db, std::numeric_limits<int>::max());
}

absl::StatusOr<int> MigrateUpTo(Database& db, int max_version) {
  RETURN_IF_ERROR(EnsureTable(db));
  std::vector<Migration> known = MigrationsFor(db.backend());
  for (const Migration& m : known) {
    if (m.version > max_version) break;
    ASSIGN_OR_RETURN(bool applied, ApplyOne(db, m, known));
    (void)applied;
  }
  return SchemaVersion(db);
}

absl::StatusOr<int> SchemaVersion(Database& db) {
  RETURN_IF_ERROR(EnsureTable(db));
  std::vector<Migration> known = MigrationsFor(db.backend());
  return db.Read([&](soci::session& s) -> absl::StatusOr<int> {
    Applied applied = ReadApplied(s);
    RETURN_IF_ERROR(Verify(applied, known));
    return applied.empty() ? 0 : applied.rbegin()->first;
  });
}

absl::Status CheckSchemaCurrent(Database& db) {
  ASSIGN_OR_RETURN(int version, SchemaVersion(db));
  std::vector<Migration> known = MigrationsFor(db.backend());
  int latest = known.empty() ? 0 : known.back().version;
  if (version != latest) {
    return absl::FailedPreconditionError(absl::StrCat("database schema is at version ", version,
                                                      ", this riskcapd needs ", latest,
                                                      "; run `riskcapd migrate`"));
  }
  return absl::OkStatus();
}

}  // namespace riskcap::db
