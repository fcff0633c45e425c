// Both backends end up with the same tables and columns after migration.
#include <map>
#include <set>
#include <string>

#include "db/internal/database.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"

namespace riskcap::db {
namespace {

using Schema = std::map<std::string, std::set<std::string>>;  // table -> columns

absl::StatusOr<Schema> ReadSchema(Store& store) {
  return store.database().Read([&](soci::session& s) -> absl::StatusOr<Schema> {
    Schema schema;
    std::string sql =
        store.backend() == Backend::kSqlite
            ? "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "
              "WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%'"
            : "SELECT table_name, column_name FROM information_schema.columns "
              "WHERE table_schema = current_schema()";
    soci::rowset<soci::row> rows = (s.prepare << sql);
    for (const soci::row& r : rows) schema[r.get<std::string>(0)].insert(r.get<std::string>(1));
    return schema;
  });
}

absl::StatusOr<Schema> MigratedSchema(Backend backend,
                                      std::unique_ptr<testing::ScratchDatabase>* keep) {
  auto scratch = testing::ScratchDatabase::Create(backend);
  if (!scratch.ok()) return scratch.status();
  *keep = std::move(*scratch);
  auto store = Store::Open((*keep)->url(), 1);
  if (!store.ok()) return store.status();
  auto migrated = (*store)->Migrate();
  if (!migrated.ok()) return migrated.status();
  return ReadSchema(**store);
}

TEST(SchemaParity, BothBackendsHaveTheSameTablesAndColumns) {
  std::unique_ptr<testing::ScratchDatabase> lite_db, pg_db;
  auto lite = MigratedSchema(Backend::kSqlite, &lite_db);
  ASSERT_TRUE(lite.ok()) << lite.status();
  auto pg = MigratedSchema(Backend::kPostgresql, &pg_db);
  ASSERT_TRUE(pg.ok()) << pg.status();
  EXPECT_GE(lite->size(), 15u);  // every entity of docs/data-dictionary.md plus schema_migrations
  for (const auto& [table, columns] : *lite) {
    auto it = pg->find(table);
    ASSERT_NE(it, pg->end()) << "table " << table << " exists only on SQLite";
    EXPECT_EQ(columns, it->second) << "columns of " << table << " differ";
  }
  for (const auto& [table, columns] : *pg) {
    EXPECT_TRUE(lite->count(table)) << "table " << table << " exists only on PostgreSQL";
  }
}

}  // namespace
}  // namespace riskcap::db
