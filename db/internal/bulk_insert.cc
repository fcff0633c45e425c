// Bulk row insertion: COPY text format over libpq, or a reused prepared statement on SQLite.
#include "db/internal/bulk_insert.h"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "db/internal/database.h"

namespace riskcap::db {
namespace {

using sqlite_api::sqlite3_destructor_type;  // SQLITE_STATIC expands to a cast to this type

// COPY data is sent in chunks of about this size: large enough to amortise the calls, small
// enough not to hold the whole load twice in memory.
constexpr size_t kCopyChunkBytes = 1 << 20;

std::string ColumnList(absl::Span<const std::string_view> columns) {
  std::string out;
  for (std::string_view c : columns) absl::StrAppend(&out, out.empty() ? "" : ", ", AbslView(c));
  return out;
}

absl::Status WrongCellCount(std::string_view table, size_t row, size_t cells, size_t columns) {
  return absl::InternalError(absl::StrCat("bulk insert into ", AbslView(table), ": row ", row,
                                          " encoded ", cells, " values for ", columns, " columns"));
}

// Encodes values as PostgreSQL COPY text: tab-separated, \N for NULL, one row per line.
class CopyTextSink final : public RowSink {
 public:
  explicit CopyTextSink(std::string* out) : out_(out) {}
  void StartRow() { cells_ = 0; }
  void EndRow() { out_->push_back('\n'); }
  size_t cells() const { return cells_; }

  void Int(int64_t value) override {
    Separate();
    absl::StrAppend(out_, value);
  }
  // The shortest text that reads back as the same double (std::to_chars); PostgreSQL parses it
  // correctly rounded, so the stored value is exact. Several times cheaper than "%.17g".
  void Double(double value) override {
    Separate();
    char text[32];
    auto [end, ec] = std::to_chars(text, text + sizeof text, value);
    if (ec != std::errc() || !std::isfinite(value)) {
      absl::StrAppendFormat(out_, "%.17g", value);  // never hit by validated rows
      return;
    }
    out_->append(text, end);
  }
  void Text(std::string_view value) override;
  void Null() override {
    Separate();
    out_->append("\\N");
  }

 private:
  void Separate() {
    if (cells_++ > 0) out_->push_back('\t');
  }
  std::string* out_;
  size_t cells_ = 0;
};

void CopyTextSink::Text(std::string_view value) {
  Separate();
  if (value.find_first_of("\\\t\n\r") == std::string_view::npos) {
    out_->append(value);
    return;
  }
  for (char c : value) {
    switch (c) {
      case '\\': out_->append("\\\\"); break;
      case '\t': out_->append("\\t"); break;
      case '\n': out_->append("\\n"); break;
      case '\r': out_->append("\\r"); break;
      default: out_->push_back(c);
    }
  }
}

std::string PgField(const PGresult* res, int field) {
  const char* value = PQresultErrorField(res, field);
  return value != nullptr ? value : "";
}

// The server's error as the exception Database maps, so COPY failures map like any statement's.
absl::Status PgResultError(PGconn* conn, const PGresult* res, std::string_view context) {
  const char* sqlstate = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  if (sqlstate == nullptr) sqlstate = PQstatus(conn) == CONNECTION_BAD ? "08006" : "XX000";
  std::string msg = res != nullptr ? PgField(res, PG_DIAG_MESSAGE_PRIMARY) : PQerrorMessage(conn);
  if (res != nullptr) {
    for (int field : {PG_DIAG_MESSAGE_DETAIL, PG_DIAG_CONTEXT}) {
      std::string extra = PgField(res, field);
      if (!extra.empty()) absl::StrAppend(&msg, "; ", extra);
    }
  }
  if (msg.empty()) msg = PQerrorMessage(conn);
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  return StatusFromException(soci::postgresql_soci_error(msg, sqlstate), context);
}

// Collects the COPY's outcome; the connection is idle again afterwards.
absl::Status DrainCopyResults(PGconn* conn, std::string_view context) {
  absl::Status status;
  while (PGresult* res = PQgetResult(conn)) {
    ExecStatusType st = PQresultStatus(res);
    if (status.ok() && st != PGRES_COMMAND_OK) status = PgResultError(conn, res, context);
    PQclear(res);
    if (st == PGRES_COPY_IN) break;  // libpq could not end the COPY; do not spin on it
  }
  return status;
}

// Streams the encoded rows; a non-OK return means the COPY must be aborted.
absl::Status SendCopyRows(PGconn* conn, std::string_view table, size_t column_count,
                          size_t row_count, RowEncoder encode) {
  std::string buffer;
  buffer.reserve(kCopyChunkBytes + kCopyChunkBytes / 4);
  CopyTextSink sink(&buffer);
  for (size_t i = 0; i < row_count; ++i) {
    sink.StartRow();
    encode(i, sink);
    if (sink.cells() != column_count) return WrongCellCount(table, i, sink.cells(), column_count);
    sink.EndRow();
    if (buffer.size() < kCopyChunkBytes && i + 1 < row_count) continue;
    if (PQputCopyData(conn, buffer.data(), static_cast<int>(buffer.size())) != 1) {
      return absl::UnavailableError(
          absl::StrCat("COPY into ", AbslView(table), ": ", PQerrorMessage(conn)));
    }
    buffer.clear();
  }
  return absl::OkStatus();
}

PGconn* PgConnection(soci::session& session) {
  return static_cast<soci::postgresql_session_backend*>(session.get_backend())->conn_;
}

std::string CopyContext(std::string_view table) {
  return absl::StrCat("COPY into ", AbslView(table));
}

// Starts COPY ... FROM STDIN; the connection is in COPY IN state on success.
absl::Status StartCopy(PGconn* conn, std::string_view table,
                       absl::Span<const std::string_view> columns) {
  std::string sql =
      absl::StrCat("COPY ", AbslView(table), " (", ColumnList(columns), ") FROM STDIN");
  PGresult* started = PQexec(conn, sql.c_str());
  if (PQresultStatus(started) != PGRES_COPY_IN) {
    absl::Status status = PgResultError(conn, started, CopyContext(table));
    PQclear(started);
    return status;
  }
  PQclear(started);
  return absl::OkStatus();
}

// Ends the open COPY, committing it to the transaction when `error` is null and aborting it
// otherwise; the server's outcome.
absl::Status EndCopy(PGconn* conn, std::string_view table, const char* error) {
  PQputCopyEnd(conn, error);
  return DrainCopyResults(conn, CopyContext(table));
}

// Binds values to the parameters of one prepared INSERT, left to right, across the rows of a
// multi-row statement. Text is copied into one reused buffer per parameter and bound without
// SQLite's own copy (SQLITE_STATIC): the buffer outlives the step, keeps its capacity from
// statement to statement, and is only rewritten after the statement was reset, so a load makes
// no allocation per text value.
class SqliteBindSink final : public RowSink {
 public:
  explicit SqliteBindSink(size_t parameter_count) : texts_(parameter_count) {}
  // Starts binding the first row of `stmt`.
  void StartStatement(sqlite_api::sqlite3_stmt* stmt) {
    stmt_ = stmt;
    next_ = 1;
    rc_ = SQLITE_OK;
  }
  // Values bound so far to the current statement.
  size_t bound() const { return static_cast<size_t>(next_ - 1); }
  int rc() const { return rc_; }

  void Int(int64_t value) override { Check(sqlite_api::sqlite3_bind_int64(stmt_, next_++, value)); }
  void Double(double value) override {
    Check(sqlite_api::sqlite3_bind_double(stmt_, next_++, value));
  }
  void Text(std::string_view value) override;
  void Null() override { Check(sqlite_api::sqlite3_bind_null(stmt_, next_++)); }

 private:
  void Check(int rc) {
    if (rc_ == SQLITE_OK) rc_ = rc;
  }
  sqlite_api::sqlite3_stmt* stmt_ = nullptr;
  std::vector<std::string> texts_;
  int next_ = 1;
  int rc_ = SQLITE_OK;
};

void SqliteBindSink::Text(std::string_view value) {
  const int param = next_++;
  const size_t slot = static_cast<size_t>(param - 1);
  if (slot >= texts_.size()) {  // more values than columns: reported by the caller's count
    Check(SQLITE_RANGE);
    return;
  }
  std::string& text = texts_[slot];
  text.assign(value.data(), value.size());
  Check(sqlite_api::sqlite3_bind_text(stmt_, param, text.data(), static_cast<int>(text.size()),
                                      SQLITE_STATIC));
}

absl::Status SqliteError(sqlite_api::sqlite3* conn, std::string_view context) {
  return StatusFromException(soci::sqlite3_soci_error(sqlite_api::sqlite3_errmsg(conn),
                                                      sqlite_api::sqlite3_extended_errcode(conn)),
                             context);
}

using StatementPtr = SqliteStatementPtr;

// Rows per INSERT statement on SQLite. Each statement execution has a fixed cost (opening the
// transaction's cursors, the end-of-statement foreign-key and journal work) that one row per
// statement pays for every row; 128 rows per statement measured about 6% less CPU than 32 on a
// positions upload, and 256 (with the statement kept across a load's chunks) a little less again
// (1M positions: apply 1.29 s vs 1.33 s); 512 was slower. Wide tables get fewer rows so that no
// statement passes SQLite's default limit of 32,766 parameters.
constexpr size_t kSqliteRowsPerInsert = 256;
constexpr size_t kSqliteMaxParameters = 32766;

// INSERT INTO table (columns) VALUES (?, ...), ... with `rows` rows.
absl::StatusOr<StatementPtr> PrepareInsert(sqlite_api::sqlite3* conn, std::string_view table,
                                           absl::Span<const std::string_view> columns,
                                           size_t rows) {
  std::string row = "(";
  for (size_t i = 0; i < columns.size(); ++i) row.append(i == 0 ? "?" : ", ?");
  row.push_back(')');
  std::string sql =
      absl::StrCat("INSERT INTO ", AbslView(table), " (", ColumnList(columns), ") VALUES ", row);
  for (size_t i = 1; i < rows; ++i) absl::StrAppend(&sql, ", ", row);
  sqlite_api::sqlite3_stmt* raw = nullptr;
  if (sqlite_api::sqlite3_prepare_v2(conn, sql.c_str(), static_cast<int>(sql.size()), &raw,
                                     nullptr) != SQLITE_OK) {
    return SqliteError(conn, absl::StrCat("preparing insert into ", AbslView(table)));
  }
  return StatementPtr(raw);
}

// Binds rows [first, first + count) of a load to the parameters of `stmt`, left to right: OK,
// or the error that makes the insert fail (a row with the wrong number of values).
using BindRows =
    absl::FunctionRef<absl::Status(sqlite_api::sqlite3_stmt* stmt, size_t first, size_t count)>;

// Inserts `row_count` rows through prepared multi-row INSERTs. `cached`, when given, keeps the
// full-size statement across calls (a BulkWriter's parts): parsing an INSERT of 256 rows of a
// wide table costs more than a few rows' inserts.
absl::Status InsertBatches(soci::session& session, std::string_view table,
                           absl::Span<const std::string_view> columns, size_t row_count,
                           BindRows bind, StatementPtr* cached) {
  sqlite_api::sqlite3* conn =
      static_cast<soci::sqlite3_session_backend*>(session.get_backend())->conn_;
  const size_t widest =
      std::max<size_t>(1, std::min(kSqliteRowsPerInsert, kSqliteMaxParameters / columns.size()));
  const size_t batch = std::max<size_t>(1, std::min(widest, row_count));
  StatementPtr local;
  StatementPtr& full = cached != nullptr && batch == widest ? *cached : local;
  if (full == nullptr) {
    ASSIGN_OR_RETURN(full, PrepareInsert(conn, table, columns, batch));
  }
  StatementPtr tail;  // for the last, shorter batch
  for (size_t first = 0; first < row_count; first += batch) {
    const size_t rows = std::min(batch, row_count - first);
    if (rows < batch) {
      ASSIGN_OR_RETURN(tail, PrepareInsert(conn, table, columns, rows));
    }
    sqlite_api::sqlite3_stmt* stmt = rows == batch ? full.get() : tail.get();
    absl::Status bound = bind(stmt, first, rows);
    if (!bound.ok() && !absl::IsUnknown(bound)) return bound;
    if (!bound.ok() || sqlite_api::sqlite3_step(stmt) != SQLITE_DONE) {
      return SqliteError(conn, absl::StrCat("insert into ", AbslView(table), " rows[", first,
                                            "..", first + rows - 1, "]"));
    }
    sqlite_api::sqlite3_reset(stmt);
  }
  return absl::OkStatus();
}

// InsertBatches with each row's values from `encode`.
absl::Status InsertEach(soci::session& session, std::string_view table,
                        absl::Span<const std::string_view> columns, size_t row_count,
                        RowEncoder encode, StatementPtr* cached = nullptr) {
  SqliteBindSink sink(columns.size() * std::min(kSqliteRowsPerInsert, row_count));
  return InsertBatches(
      session, table, columns, row_count,
      [&](sqlite_api::sqlite3_stmt* stmt, size_t first, size_t count) -> absl::Status {
        sink.StartStatement(stmt);
        for (size_t i = first; i < first + count; ++i) {
          const size_t before = sink.bound();
          encode(i, sink);
          const size_t cells = sink.bound() - before;
          if (cells != columns.size()) return WrongCellCount(table, i, cells, columns.size());
        }
        // Unknown: SQLite refused a value; the caller reports SQLite's own message.
        return sink.rc() == SQLITE_OK ? absl::OkStatus() : absl::UnknownError("bind");
      },
      cached);
}

}  // namespace

void SqliteStatementDeleter::operator()(sqlite_api::sqlite3_stmt* stmt) const {
  sqlite_api::sqlite3_finalize(stmt);
}

void EncodedRows::Double(double value) {
  int64_t bits = 0;
  static_assert(sizeof bits == sizeof value);
  std::memcpy(&bits, &value, sizeof bits);
  values_.push_back({Kind::kDouble, bits, 0, 0});
}

void EncodedRows::Text(std::string_view value) {
  values_.push_back({Kind::kText, 0, static_cast<uint32_t>(text_.size()),
                     static_cast<uint32_t>(value.size())});
  text_.append(value);
}

void EncodedRows::Replay(size_t first, size_t count, RowSink& sink) const {
  for (size_t i = first; i < first + count; ++i) {
    const Value& v = values_[i];
    switch (v.kind) {
      case Kind::kInt: sink.Int(v.bits); break;
      case Kind::kDouble: {
        double d = 0;
        std::memcpy(&d, &v.bits, sizeof d);
        sink.Double(d);
        break;
      }
      case Kind::kText: sink.Text(std::string_view(text_).substr(v.text_offset, v.text_size)); break;
      case Kind::kNull: sink.Null(); break;
    }
  }
}

int EncodedRows::BindSqlite(size_t first, size_t count, sqlite_api::sqlite3_stmt* stmt) const {
  int param = 1;
  for (size_t i = first; i < first + count; ++i, ++param) {
    const Value& v = values_[i];
    int rc = SQLITE_OK;
    switch (v.kind) {
      case Kind::kInt: rc = sqlite_api::sqlite3_bind_int64(stmt, param, v.bits); break;
      case Kind::kDouble: {
        double d = 0;
        std::memcpy(&d, &v.bits, sizeof d);
        rc = sqlite_api::sqlite3_bind_double(stmt, param, d);
        break;
      }
      case Kind::kText:
        rc = sqlite_api::sqlite3_bind_text(stmt, param, text_.data() + v.text_offset,
                                           static_cast<int>(v.text_size), SQLITE_STATIC);
        break;
      case Kind::kNull: rc = sqlite_api::sqlite3_bind_null(stmt, param); break;
    }
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

BulkWriter::BulkWriter(Backend backend, soci::session& session, std::string_view table,
                       absl::Span<const std::string_view> columns)
    : backend_(backend), session_(session), table_(table), columns_(columns) {}

BulkWriter::~BulkWriter() {
  if (copying_) Abort(absl::AbortedError("unfinished")).IgnoreError();
}

absl::Status BulkWriter::Abort(absl::Status why) {
  if (copying_) {
    copying_ = false;
    // Ending with an error message makes the server abort the COPY instead of applying it.
    EndCopy(PgConnection(session_), table_, "aborted by riskcap").IgnoreError();
  }
  return why;
}

absl::Status BulkWriter::Add(size_t row_count, RowEncoder encode) {
  if (row_count == 0) return absl::OkStatus();
  if (backend_ != Backend::kPostgresql) {
    return InsertEach(session_, table_, columns_, row_count, encode, &sqlite_insert_);
  }
  PGconn* conn = PgConnection(session_);
  if (!copying_) {
    RETURN_IF_ERROR(StartCopy(conn, table_, columns_));
    copying_ = true;
  }
  absl::Status sent = SendCopyRows(conn, table_, columns_.size(), row_count, encode);
  return sent.ok() ? sent : Abort(sent);
}

absl::Status BulkWriter::Add(const EncodedRows& rows) {
  const size_t width = columns_.size();
  if (width == 0 || rows.value_count() % width != 0) {
    return Abort(absl::InternalError(absl::StrCat("bulk insert into ", table_, ": ",
                                                  rows.value_count(), " values for ", width,
                                                  " columns")));
  }
  if (backend_ != Backend::kPostgresql) {  // text bound in place: `rows` outlives the inserts
    if (rows.value_count() == 0) return absl::OkStatus();
    return InsertBatches(
        session_, table_, columns_, rows.value_count() / width,
        [&](sqlite_api::sqlite3_stmt* stmt, size_t first, size_t count) -> absl::Status {
          return rows.BindSqlite(first * width, count * width, stmt) == SQLITE_OK
                     ? absl::OkStatus()
                     : absl::UnknownError("bind");
        },
        &sqlite_insert_);
  }
  return Add(rows.value_count() / width,
             [&](size_t i, RowSink& sink) { rows.Replay(i * width, width, sink); });
}

absl::Status BulkWriter::Finish() {
  if (!copying_) return absl::OkStatus();
  copying_ = false;
  return EndCopy(PgConnection(session_), table_, nullptr);
}

absl::Status BulkInsert(Backend backend, soci::session& session, std::string_view table,
                        absl::Span<const std::string_view> columns, size_t row_count,
                        RowEncoder encode) {
  BulkWriter writer(backend, session, table, columns);
  RETURN_IF_ERROR(writer.Add(row_count, encode));
  return writer.Finish();
}

}  // namespace riskcap::db
