// TimePositionsFloor: read a positions batch back in chunks, write each chunk the plain way.
#include "db/insert_floor.h"

#include <soci/sqlite3/soci-sqlite3.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/status_macros.h"
#include "db/internal/bulk_insert.h"
#include "db/internal/database.h"
#include "db/store_url.h"

namespace riskcap::db {
namespace {

constexpr char kFloorTable[] = "riskcap_bench_floor_positions";
constexpr int kRowsPerChunk = 50'000;  // rows read back at a time: bounds the memory used

using Clock = std::chrono::steady_clock;

// The table's DDL: on SQLite positions' own, renamed (sqlite_master keeps it; its foreign keys
// come along, as positions checks them per row); on PostgreSQL LIKE, which copies the columns,
// primary key, checks and indexes — positions checks its references there with one
// statement-level trigger per load (migration 0008), which a plain COPY does without.
absl::Status CreateFloorTable(Database& db) {
  return db.Write([&](soci::session& s) -> absl::Status {
    s << "DROP TABLE IF EXISTS " << kFloorTable;
    if (db.backend() == Backend::kPostgresql) {
      s << "CREATE TABLE " << kFloorTable << " (LIKE positions INCLUDING ALL)";
      return absl::OkStatus();
    }
    std::string ddl;
    s << "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'positions'",
        soci::into(ddl);
    size_t body = ddl.find('(');
    if (body == std::string::npos) return absl::InternalError("positions has no readable DDL");
    s << absl::StrCat("CREATE TABLE ", kFloorTable, " ", ddl.substr(body));
    return absl::OkStatus();
  });
}

// One value of a read-back row, as the same value to write.
void EncodeCell(const soci::row& row, size_t i, EncodedRows& out) {
  if (row.get_indicator(i) == soci::i_null) return out.Null();
  switch (row.get_properties(i).get_data_type()) {
    case soci::dt_integer: return out.Int(row.get<int>(i));
    case soci::dt_long_long: return out.Int(row.get<long long>(i));
    case soci::dt_unsigned_long_long:
      return out.Int(static_cast<int64_t>(row.get<unsigned long long>(i)));
    case soci::dt_double: return out.Double(row.get<double>(i));
    case soci::dt_date: {
      std::tm t = row.get<std::tm>(i);
      return out.Text(
          absl::StrFormat("%04d-%02d-%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday));
    }
    default: return out.Text(row.get<std::string>(i));
  }
}

// Rows of the version after row number `after`, at most kRowsPerChunk, into `out` (cleared);
// fills `columns` from the first chunk; the last row number read, or `after` when none.
long long ReadChunk(soci::session& s, long long version, long long after,
                    std::vector<std::string>& columns, EncodedRows& out) {
  out.Clear();
  int limit = kRowsPerChunk;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT * FROM positions WHERE version_id = :v AND row_no > :after"
                    " ORDER BY row_no LIMIT :limit",
       soci::use(version), soci::use(after), soci::use(limit));
  for (const soci::row& row : rows) {
    if (columns.empty()) {
      for (size_t i = 0; i < row.size(); ++i) columns.push_back(row.get_properties(i).get_name());
    }
    for (size_t i = 0; i < row.size(); ++i) EncodeCell(row, i, out);
    const soci::column_properties& p = row.get_properties("row_no");
    after = p.get_data_type() == soci::dt_integer ? row.get<int>("row_no")
                                                  : row.get<long long>("row_no");
  }
  return after;
}

// SQLite's plain path: one prepared single-row INSERT, bound and stepped per row.
class SqliteRowInserter {
 public:
  absl::Status Insert(soci::session& s, size_t width, const EncodedRows& rows) {
    auto* conn = static_cast<soci::sqlite3_session_backend*>(s.get_backend())->conn_;
    if (stmt_ == nullptr) {
      std::string sql = absl::StrCat("INSERT INTO ", kFloorTable, " VALUES (?");
      for (size_t i = 1; i < width; ++i) sql.append(", ?");
      sql.push_back(')');
      sqlite_api::sqlite3_stmt* raw = nullptr;
      if (sqlite_api::sqlite3_prepare_v2(conn, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
        return absl::InternalError(sqlite_api::sqlite3_errmsg(conn));
      }
      stmt_.reset(raw);
    }
    for (size_t first = 0; first < rows.value_count(); first += width) {
      if (rows.BindSqlite(first, width, stmt_.get()) != SQLITE_OK ||
          sqlite_api::sqlite3_step(stmt_.get()) != SQLITE_DONE) {
        return absl::InternalError(sqlite_api::sqlite3_errmsg(conn));
      }
      sqlite_api::sqlite3_reset(stmt_.get());
    }
    return absl::OkStatus();
  }

 private:
  SqliteStatementPtr stmt_;
};

// Writes every chunk on `s`, reading them on `reader`; the seconds spent reading.
absl::StatusOr<double> CopyChunks(Database& db, soci::session& s, soci::session& reader,
                                  long long version) {
  std::vector<std::string> columns;
  std::vector<std::string_view> names;
  std::unique_ptr<BulkWriter> copy;  // PostgreSQL: one COPY for every chunk
  SqliteRowInserter insert;
  EncodedRows rows;
  double reading = 0;
  for (long long after = 0;;) {
    const Clock::time_point start = Clock::now();
    after = ReadChunk(reader, version, after, columns, rows);
    reading += std::chrono::duration<double>(Clock::now() - start).count();
    if (rows.value_count() == 0) break;
    if (db.backend() != Backend::kPostgresql) {
      RETURN_IF_ERROR(insert.Insert(s, columns.size(), rows));
      continue;
    }
    if (copy == nullptr) {
      names.assign(columns.begin(), columns.end());
      copy = std::make_unique<BulkWriter>(db.backend(), s, kFloorTable, names);
    }
    RETURN_IF_ERROR(copy->Add(rows));
  }
  if (columns.empty()) return absl::NotFoundError(absl::StrCat("positions version ", version,
                                                               " has no rows"));
  if (copy != nullptr) RETURN_IF_ERROR(copy->Finish());
  return reading;
}

}  // namespace

absl::StatusOr<double> TimePositionsFloor(const std::string& url, int64_t version_id) {
  ASSIGN_OR_RETURN(StoreUrl parsed, ParseStoreUrl(url));
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(parsed, 1));
  RETURN_IF_ERROR(CreateFloorTable(*db));
  absl::StatusOr<double> seconds = [&]() -> absl::StatusOr<double> {
    ASSIGN_OR_RETURN(std::unique_ptr<soci::session> reader, db->OpenDedicatedSession());
    const Clock::time_point start = Clock::now();
    ASSIGN_OR_RETURN(double reading, db->Write([&](soci::session& s) {
      return CopyChunks(*db, s, *reader, version_id);
    }));
    return std::chrono::duration<double>(Clock::now() - start).count() - reading;
  }();
  absl::Status dropped = db->Write([&](soci::session& s) -> absl::Status {
    s << "DROP TABLE " << kFloorTable;
    return absl::OkStatus();
  });
  if (!seconds.ok()) return seconds.status();
  RETURN_IF_ERROR(dropped);
  return seconds;
}

}  // namespace riskcap::db
