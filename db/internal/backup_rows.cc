// Backend-neutral row reading, canonical text and per-row statements for the backup.
#include "db/internal/backup_rows.h"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <atomic>
#include <charconv>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/absl_compat.h"
#include "db/internal/database.h"

namespace riskcap::db {
namespace {

// PostgreSQL type OIDs (pg_type.dat) the schema uses beyond text.
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kOidOid = 26;
constexpr Oid kFloat4Oid = 700, kFloat8Oid = 701;

absl::Status PgError(PGconn* conn, const PGresult* res, std::string_view context) {
  const char* sqlstate = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  if (sqlstate == nullptr) sqlstate = PQstatus(conn) == CONNECTION_BAD ? "08006" : "XX000";
  std::string msg = res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  return StatusFromException(soci::postgresql_soci_error(msg, sqlstate), context);
}

absl::Status SqliteError(sqlite_api::sqlite3* conn, std::string_view context) {
  return StatusFromException(soci::sqlite3_soci_error(sqlite_api::sqlite3_errmsg(conn),
                                                      sqlite_api::sqlite3_extended_errcode(conn)),
                             context);
}

PGconn* PgConn(soci::session& s) {
  return static_cast<soci::postgresql_session_backend*>(s.get_backend())->conn_;
}
sqlite_api::sqlite3* SqliteConn(soci::session& s) {
  return static_cast<soci::sqlite3_session_backend*>(s.get_backend())->conn_;
}

using PgResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

// Runs `sql` and returns its result, or the error when its status is not `expected`.
absl::StatusOr<PgResultPtr> PgExec(PGconn* conn, const std::string& sql, ExecStatusType expected) {
  PgResultPtr res(PQexec(conn, sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != expected) return PgError(conn, res.get(), sql);
  return res;
}

Cell PgCell(const PGresult* res, int row, int col, Oid type) {
  Cell cell;
  if (PQgetisnull(res, row, col)) return cell;
  std::string_view text(PQgetvalue(res, row, col), PQgetlength(res, row, col));
  switch (type) {
    case kInt8Oid:
    case kInt2Oid:
    case kInt4Oid:
    case kOidOid:
      cell.kind = Cell::Kind::kInt;
      std::from_chars(text.data(), text.data() + text.size(), cell.int_value);
      return cell;
    case kBoolOid:
      cell.kind = Cell::Kind::kInt;
      cell.int_value = text == "t" ? 1 : 0;
      return cell;
    case kFloat4Oid:
    case kFloat8Oid:
      cell.kind = Cell::Kind::kDouble;
      cell.double_value = std::strtod(std::string(text).c_str(), nullptr);
      return cell;
    default:
      cell.kind = Cell::Kind::kText;
      cell.text = std::string(text);
      return cell;
  }
}

class PgCursor final : public RowCursor {
 public:
  PgCursor(PGconn* conn, std::string name) : conn_(conn), name_(std::move(name)) {}
  ~PgCursor() override {
    // Closing fails only when the transaction is already aborted, which ends the cursor anyway.
    PQclear(PQexec(conn_, absl::StrCat("CLOSE ", name_).c_str()));
  }

  absl::Status Next(size_t max_rows, std::vector<Row>* rows) override {
    rows->clear();
    auto res =
        PgExec(conn_, absl::StrCat("FETCH FORWARD ", max_rows, " FROM ", name_), PGRES_TUPLES_OK);
    if (!res.ok()) return res.status();
    const PGresult* r = res->get();
    int columns = PQnfields(r);
    std::vector<Oid> types(columns);
    for (int c = 0; c < columns; ++c) types[c] = PQftype(r, c);
    rows->resize(PQntuples(r));
    for (int i = 0; i < PQntuples(r); ++i) {
      Row& row = (*rows)[i];
      row.reserve(columns);
      for (int c = 0; c < columns; ++c) row.push_back(PgCell(r, i, c, types[c]));
    }
    return absl::OkStatus();
  }

 private:
  PGconn* conn_;
  std::string name_;
};

using SqliteStmtPtr =
    std::unique_ptr<sqlite_api::sqlite3_stmt, decltype(&sqlite_api::sqlite3_finalize)>;

absl::StatusOr<SqliteStmtPtr> SqlitePrepare(sqlite_api::sqlite3* conn, const std::string& sql) {
  sqlite_api::sqlite3_stmt* raw = nullptr;
  if (sqlite_api::sqlite3_prepare_v2(conn, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return SqliteError(conn, sql);
  }
  return SqliteStmtPtr(raw, &sqlite_api::sqlite3_finalize);
}

Cell SqliteCell(sqlite_api::sqlite3_stmt* stmt, int col) {
  Cell cell;
  switch (sqlite_api::sqlite3_column_type(stmt, col)) {
    case SQLITE_NULL: return cell;
    case SQLITE_INTEGER:
      cell.kind = Cell::Kind::kInt;
      cell.int_value = sqlite_api::sqlite3_column_int64(stmt, col);
      return cell;
    case SQLITE_FLOAT:
      cell.kind = Cell::Kind::kDouble;
      cell.double_value = sqlite_api::sqlite3_column_double(stmt, col);
      return cell;
    default: {
      cell.kind = Cell::Kind::kText;
      const auto* text = reinterpret_cast<const char*>(sqlite_api::sqlite3_column_text(stmt, col));
      cell.text.assign(text, static_cast<size_t>(sqlite_api::sqlite3_column_bytes(stmt, col)));
      return cell;
    }
  }
}

class SqliteCursor final : public RowCursor {
 public:
  SqliteCursor(sqlite_api::sqlite3* conn, SqliteStmtPtr stmt)
      : conn_(conn), stmt_(std::move(stmt)) {}

  absl::Status Next(size_t max_rows, std::vector<Row>* rows) override {
    rows->clear();
    int columns = sqlite_api::sqlite3_column_count(stmt_.get());
    while (!done_ && rows->size() < max_rows) {
      int rc = sqlite_api::sqlite3_step(stmt_.get());
      if (rc == SQLITE_DONE) {
        done_ = true;
        break;
      }
      if (rc != SQLITE_ROW) return SqliteError(conn_, sqlite_api::sqlite3_sql(stmt_.get()));
      Row& row = rows->emplace_back();
      row.reserve(columns);
      for (int c = 0; c < columns; ++c) row.push_back(SqliteCell(stmt_.get(), c));
    }
    return absl::OkStatus();
  }

 private:
  sqlite_api::sqlite3* conn_;
  SqliteStmtPtr stmt_;
  bool done_ = false;
};

void AppendDouble(double value, std::string* out) {
  if (value == 0) value = 0;  // -0 and 0: SQLite may store a zero REAL as the integer 0
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, ec == std::errc() ? end : buf);
}

void AppendEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '\t': out->append("\\t"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      default: out->push_back(c);
    }
  }
}

// The text form PostgreSQL parses back to the same value; nullptr for NULL.
const char* PgParam(const Cell& cell, std::string* storage) {
  switch (cell.kind) {
    case Cell::Kind::kNull: return nullptr;
    case Cell::Kind::kInt: *storage = absl::StrCat(cell.int_value); break;
    case Cell::Kind::kDouble: *storage = absl::StrFormat("%.17g", cell.double_value); break;
    case Cell::Kind::kText: *storage = cell.text; break;
  }
  return storage->c_str();
}

class PgStatement final : public CellStatement {
 public:
  PgStatement(PGconn* conn, std::string name) : conn_(conn), name_(std::move(name)) {}
  ~PgStatement() override { PQclear(PQexec(conn_, absl::StrCat("DEALLOCATE ", name_).c_str())); }

  absl::Status Execute(const std::vector<const Cell*>& params) override {
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size());
    for (size_t i = 0; i < params.size(); ++i) values[i] = PgParam(*params[i], &storage[i]);
    PgResultPtr res(PQexecPrepared(conn_, name_.c_str(), static_cast<int>(values.size()),
                                   values.data(), nullptr, nullptr, 0),
                    &PQclear);
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return PgError(conn_, res.get(), name_);
    return absl::OkStatus();
  }

 private:
  PGconn* conn_;
  std::string name_;
};

class SqliteStatement final : public CellStatement {
 public:
  SqliteStatement(sqlite_api::sqlite3* conn, SqliteStmtPtr stmt)
      : conn_(conn), stmt_(std::move(stmt)) {}

  absl::Status Execute(const std::vector<const Cell*>& params) override {
    sqlite_api::sqlite3_stmt* s = stmt_.get();
    sqlite_api::sqlite3_reset(s);
    int rc = SQLITE_OK;
    for (size_t i = 0; i < params.size() && rc == SQLITE_OK; ++i) {
      const Cell& cell = *params[i];
      int index = static_cast<int>(i) + 1;
      switch (cell.kind) {
        case Cell::Kind::kNull: rc = sqlite_api::sqlite3_bind_null(s, index); break;
        case Cell::Kind::kInt: rc = sqlite_api::sqlite3_bind_int64(s, index, cell.int_value); break;
        case Cell::Kind::kDouble:
          rc = sqlite_api::sqlite3_bind_double(s, index, cell.double_value);
          break;
        case Cell::Kind::kText:
          rc = sqlite_api::sqlite3_bind_text(s, index, cell.text.data(),
                                             static_cast<int>(cell.text.size()), nullptr);
          break;
      }
    }
    if (rc != SQLITE_OK || sqlite_api::sqlite3_step(s) != SQLITE_DONE) {
      return SqliteError(conn_, sqlite_api::sqlite3_sql(s));
    }
    return absl::OkStatus();
  }

 private:
  sqlite_api::sqlite3* conn_;
  SqliteStmtPtr stmt_;
};

std::string UniqueName(std::string_view prefix) {
  static std::atomic<int64_t> counter{0};
  return absl::StrCat(AbslView(prefix), counter.fetch_add(1));
}

}  // namespace

absl::StatusOr<std::unique_ptr<RowCursor>> OpenRowCursor(Backend backend, soci::session& session,
                                                         const std::string& select_sql) {
  if (backend == Backend::kPostgresql) {
    PGconn* conn = PgConn(session);
    std::string name = UniqueName("riskcap_backup_cursor_");
    auto declared =
        PgExec(conn, absl::StrCat("DECLARE ", name, " NO SCROLL CURSOR FOR ", select_sql),
               PGRES_COMMAND_OK);
    if (!declared.ok()) return declared.status();
    return std::unique_ptr<RowCursor>(new PgCursor(conn, std::move(name)));
  }
  sqlite_api::sqlite3* conn = SqliteConn(session);
  auto stmt = SqlitePrepare(conn, select_sql);
  if (!stmt.ok()) return stmt.status();
  return std::unique_ptr<RowCursor>(new SqliteCursor(conn, std::move(*stmt)));
}

void AppendCanonicalRow(const Row& row, std::string* out) {
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out->push_back('\t');
    const Cell& cell = row[i];
    switch (cell.kind) {
      case Cell::Kind::kNull: out->append("\\N"); break;
      case Cell::Kind::kInt: absl::StrAppend(out, cell.int_value); break;
      case Cell::Kind::kDouble: AppendDouble(cell.double_value, out); break;
      case Cell::Kind::kText: AppendEscaped(cell.text, out); break;
    }
  }
  out->push_back('\n');
}

TableHasher::TableHasher(const std::vector<std::string>& columns) {
  Row header;
  for (const std::string& c : columns) header.push_back(Cell{Cell::Kind::kText, 0, 0, c});
  AppendCanonicalRow(header, &buffer_);
  sha_.Update(buffer_);
  buffer_.clear();
}

void TableHasher::Add(const Row& row) {
  AppendCanonicalRow(row, &buffer_);
  ++rows_;
  if (buffer_.size() >= (1 << 16)) {
    sha_.Update(buffer_);
    buffer_.clear();
  }
}

std::string TableHasher::FinishHex() {
  sha_.Update(buffer_);
  buffer_.clear();
  return sha_.FinishHex();
}

absl::StatusOr<std::unique_ptr<CellStatement>> PrepareCellStatement(Backend backend,
                                                                    soci::session& session,
                                                                    const std::string& sql) {
  if (backend == Backend::kPostgresql) {
    PGconn* conn = PgConn(session);
    std::string name = UniqueName("riskcap_backup_stmt_");
    PgResultPtr res(PQprepare(conn, name.c_str(), sql.c_str(), 0, nullptr), &PQclear);
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return PgError(conn, res.get(), sql);
    return std::unique_ptr<CellStatement>(new PgStatement(conn, std::move(name)));
  }
  sqlite_api::sqlite3* conn = SqliteConn(session);
  auto stmt = SqlitePrepare(conn, sql);
  if (!stmt.ok()) return stmt.status();
  return std::unique_ptr<CellStatement>(new SqliteStatement(conn, std::move(*stmt)));
}

}  // namespace riskcap::db
