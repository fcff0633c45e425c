// Catalog reading and copy order for the backup.
#include "db/internal/backup_schema.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/absl_compat.h"

namespace riskcap::db {
namespace {

constexpr char kMigrationsTable[] = "schema_migrations";

// table, column, "1" when text, key position ("0" when not in the primary key).
constexpr char kSqliteColumns[] =
    "SELECT m.name, p.name, CASE WHEN upper(p.type) LIKE '%TEXT%' THEN '1' ELSE '0' END,"
    " CAST(p.pk AS TEXT) FROM sqlite_master m JOIN pragma_table_info(m.name) p"
    " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";
constexpr char kPgColumns[] =
    "SELECT c.relname::text, a.attname::text,"
    " CASE WHEN t.typcategory = 'S' THEN '1' ELSE '0' END,"
    " COALESCE((SELECT k.ord FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)"
    "           WHERE k.attnum = a.attnum), 0)::text"
    " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
    " JOIN pg_type t ON t.oid = a.atttypid"
    " LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary"
    " WHERE c.relnamespace = current_schema()::text::regnamespace AND c.relkind IN ('r', 'p')"
    " AND a.attnum > 0 AND NOT a.attisdropped";
// table, column, referenced table. On PostgreSQL also the references a column comment declares
// ("references funds(id); ..."): positions checks its references by statement triggers instead
// of foreign keys (migration 0008), and must still be copied after the tables it names.
constexpr char kSqliteForeignKeys[] =
    "SELECT m.name, f.\"from\", f.\"table\" FROM sqlite_master m"
    " JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'";
constexpr char kPgForeignKeys[] =
    "SELECT c.relname::text, a.attname::text, r.relname::text FROM pg_constraint k"
    " JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid"
    " JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)"
    " WHERE k.contype = 'f' AND c.relnamespace = current_schema()::text::regnamespace"
    " UNION ALL"
    " SELECT c.relname::text, a.attname::text,"
    " substring(col_description(c.oid, a.attnum) FROM '^references ([a-z_]+)\\(')"
    " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
    " WHERE c.relnamespace = current_schema()::text::regnamespace AND c.relkind IN ('r', 'p')"
    " AND a.attnum > 0 AND NOT a.attisdropped"
    " AND col_description(c.oid, a.attnum) ~ '^references [a-z_]+\\('";

std::map<std::string, TableSchema> ReadTables(Backend backend, soci::session& s) {
  std::map<std::string, TableSchema> tables;
  std::map<std::string, std::map<int, std::string>> keys;  // table -> position -> column
  soci::rowset<soci::row> rows =
      (s.prepare << (backend == Backend::kSqlite ? kSqliteColumns : kPgColumns));
  for (const soci::row& r : rows) {
    std::string name = r.get<std::string>(0);
    if (name == kMigrationsTable) continue;
    TableSchema& table = tables[name];
    table.name = name;
    std::string column = r.get<std::string>(1);
    table.columns.push_back(column);
    if (r.get<std::string>(2) == "1") table.text_columns.push_back(column);
    int position = 0;
    if (absl::SimpleAtoi(r.get<std::string>(3), &position) && position > 0) {
      keys[name][position] = column;
    }
  }
  for (auto& [name, table] : tables) {
    std::sort(table.columns.begin(), table.columns.end());
    for (const auto& [position, column] : keys[name]) table.key.push_back(column);
  }
  return tables;
}

std::vector<ForeignKey> ReadForeignKeys(Backend backend, soci::session& s) {
  std::vector<ForeignKey> keys;
  soci::rowset<soci::row> rows =
      (s.prepare << (backend == Backend::kSqlite ? kSqliteForeignKeys : kPgForeignKeys));
  for (const soci::row& r : rows) {
    keys.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2)});
  }
  return keys;
}

bool IsText(const TableSchema& table, const std::string& column) {
  return std::find(table.text_columns.begin(), table.text_columns.end(), column) !=
         table.text_columns.end();
}

std::string OrderBy(Backend backend, const TableSchema& table) {
  std::vector<std::string> parts;
  for (const std::string& k : table.key) {
    bool bytewise = backend == Backend::kPostgresql && IsText(table, k);
    parts.push_back(absl::StrCat(Quoted(k), bytewise ? " COLLATE \"C\"" : ""));
  }
  return absl::StrJoin(parts, ", ");
}

std::string QuotedList(const std::vector<std::string>& columns) {
  std::vector<std::string> quoted;
  for (const std::string& c : columns) quoted.push_back(Quoted(c));
  return absl::StrJoin(quoted, ", ");
}

// Whether `from` depends on `to`, directly or through other tables.
bool Reaches(const std::map<std::string, std::set<std::string>>& depends, const std::string& from,
             const std::string& to) {
  std::set<std::string> seen;
  std::vector<std::string> stack = {from};
  while (!stack.empty()) {
    std::string at = stack.back();
    stack.pop_back();
    if (at == to) return true;
    if (!seen.insert(at).second) continue;
    auto it = depends.find(at);
    if (it != depends.end()) stack.insert(stack.end(), it->second.begin(), it->second.end());
  }
  return false;
}

}  // namespace

std::string Quoted(const std::string& identifier) {
  std::string out = "\"";
  for (char c : identifier) out.append(c == '"' ? "\"\"" : std::string(1, c));
  return out + "\"";
}

absl::StatusOr<std::vector<TableSchema>> ReadBackupSchema(Backend backend, soci::session& session) {
  std::map<std::string, TableSchema> by_name = ReadTables(backend, session);
  std::vector<TableSchema> tables;
  for (auto& [name, table] : by_name) {
    if (table.key.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("table ", name,
                       " has no primary key: the backup needs one to copy it in a stable order"));
    }
    tables.push_back(std::move(table));
  }
  return OrderForCopy(std::move(tables), ReadForeignKeys(backend, session));
}

std::vector<TableSchema> OrderForCopy(std::vector<TableSchema> tables,
                                      const std::vector<ForeignKey>& keys) {
  std::sort(tables.begin(), tables.end(),
            [](const TableSchema& a, const TableSchema& b) { return a.name < b.name; });
  std::map<std::string, std::set<std::string>> depends;  // table -> tables it references
  for (const ForeignKey& k : keys) {
    if (k.table != k.references) depends[k.table].insert(k.references);
  }
  std::vector<TableSchema> ordered;
  std::set<std::string> placed;
  while (!tables.empty()) {
    // The first (by name) table whose references are all placed; in a cycle, the first table.
    auto ready = std::find_if(tables.begin(), tables.end(), [&](const TableSchema& t) {
      return std::all_of(depends[t.name].begin(), depends[t.name].end(),
                         [&](const std::string& r) { return placed.count(r) > 0; });
    });
    if (ready == tables.end()) {  // stuck on a cycle: break it at a table inside it
      ready = std::find_if(tables.begin(), tables.end(), [&](const TableSchema& t) {
        return std::all_of(depends[t.name].begin(), depends[t.name].end(),
                           [&](const std::string& r) {
                             return placed.count(r) > 0 || Reaches(depends, r, t.name);
                           });
      });
    }
    if (ready == tables.end()) ready = tables.begin();  // unreachable: a cycle always has one
    placed.insert(ready->name);
    ordered.push_back(std::move(*ready));
    tables.erase(ready);
  }
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < ordered.size(); ++i) position[ordered[i].name] = i;
  for (const ForeignKey& k : keys) {
    auto from = position.find(k.table), to = position.find(k.references);
    if (from == position.end() || to == position.end() || to->second < from->second) continue;
    std::vector<std::string>& deferred = ordered[from->second].deferred;
    if (std::find(deferred.begin(), deferred.end(), k.column) == deferred.end()) {
      deferred.push_back(k.column);
    }
  }
  for (TableSchema& table : ordered) std::sort(table.deferred.begin(), table.deferred.end());
  return ordered;
}

std::string SelectAllSql(Backend backend, const TableSchema& table) {
  return absl::StrCat("SELECT ", QuotedList(table.columns), " FROM ", Quoted(table.name),
                      " ORDER BY ", OrderBy(backend, table));
}

std::string SelectDeferredSql(Backend backend, const TableSchema& table) {
  std::vector<std::string> columns = table.key;
  columns.insert(columns.end(), table.deferred.begin(), table.deferred.end());
  std::vector<std::string> set;
  for (const std::string& d : table.deferred)
    set.push_back(absl::StrCat(Quoted(d), " IS NOT NULL"));
  return absl::StrCat("SELECT ", QuotedList(columns), " FROM ", Quoted(table.name), " WHERE ",
                      absl::StrJoin(set, " OR "), " ORDER BY ", OrderBy(backend, table));
}

std::string UpdateDeferredSql(const TableSchema& table) {
  std::vector<std::string> set, where;
  int n = 0;
  for (const std::string& d : table.deferred) set.push_back(absl::StrCat(Quoted(d), " = $", ++n));
  for (const std::string& k : table.key) where.push_back(absl::StrCat(Quoted(k), " = $", ++n));
  return absl::StrCat("UPDATE ", Quoted(table.name), " SET ", absl::StrJoin(set, ", "), " WHERE ",
                      absl::StrJoin(where, " AND "));
}

std::string CountSql(const TableSchema& table) {
  return absl::StrCat("SELECT count(*) FROM ", Quoted(table.name));
}

}  // namespace riskcap::db
