// Internal to db/: appends many rows to one table inside the caller's write transaction by the
// fastest path each backend offers — COPY FROM STDIN on PostgreSQL, one prepared INSERT
// re-executed per row on SQLite.
#pragma once

#include <soci/soci.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "core/date.h"
#include "core/enums.h"
#include "core/money.h"
#include "db/store_url.h"

namespace sqlite_api {
struct sqlite3_stmt;  // <sqlite3.h>, as soci's SQLite backend wraps it
}  // namespace sqlite_api

namespace riskcap::db {

// Finalizes a prepared SQLite statement.
struct SqliteStatementDeleter {
  void operator()(sqlite_api::sqlite3_stmt* stmt) const;
};
using SqliteStatementPtr = std::unique_ptr<sqlite_api::sqlite3_stmt, SqliteStatementDeleter>;

// Receives one row's values in column order. Implemented per backend by BulkInsert.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void Int(int64_t value) = 0;
  // Finite doubles round-trip bit for bit on both backends.
  virtual void Double(double value) = 0;
  virtual void Text(std::string_view value) = 0;
  virtual void Null() = 0;

  void DateValue(Date date) { Text(FormatDate(date)); }
  void MoneyValue(Money money) { Int(money.micros()); }
  void Bool(bool value) { Int(value ? 1 : 0); }
  template <typename E>
  void Enum(E value) {
    Text(EnumName(value));
  }

  // NULL when absent, else the value through the matching writer above.
  template <typename T, typename Write>
  void Optional(const std::optional<T>& value, Write write) {
    if (value) {
      write(*value);
    } else {
      Null();
    }
  }
};

// Writes the values of row `index` (0-based) into `sink`, one per column.
using RowEncoder = absl::FunctionRef<void(size_t index, RowSink& sink)>;

// Rows already encoded, values in column order, kept for a later insert: encoding (formatting
// dates, copying text, the encoders' calls) can run on another thread than the one that binds
// and inserts. Text lives in one buffer of the object, so an insert binds it without copies.
class EncodedRows final : public RowSink {
 public:
  void Int(int64_t value) override { values_.push_back({Kind::kInt, value, 0, 0}); }
  void Double(double value) override;
  void Text(std::string_view value) override;
  void Null() override { values_.push_back({Kind::kNull, 0, 0, 0}); }
  void Clear() {
    values_.clear();
    text_.clear();
  }
  size_t value_count() const { return values_.size(); }
  // Replays values [first, first + count) into `sink`, text as views into this object.
  void Replay(size_t first, size_t count, RowSink& sink) const;
  // Binds values [first, first + count) to parameters 1..count of `stmt`, text in place (this
  // object must outlive the statement's execution); SQLite's result code.
  int BindSqlite(size_t first, size_t count, sqlite_api::sqlite3_stmt* stmt) const;

 private:
  enum class Kind : uint8_t { kInt, kDouble, kText, kNull };
  struct Value {
    Kind kind;
    int64_t bits;  // the integer, or the double's bits
    uint32_t text_offset;
    uint32_t text_size;
  };
  std::vector<Value> values_;
  std::string text_;
};

// Rows appended to one table part by part, in ONE statement where the backend allows it: on
// PostgreSQL a single COPY carries every part, so the server parses and inserts what it has
// while the next part is read and encoded (a COPY per part would leave it idle at each part's
// end, waiting for the next COPY to start); on SQLite, prepared multi-row INSERTs as BulkInsert.
// Finish() ends the statement and returns its outcome; a writer destroyed unfinished (an error
// on the way) aborts its COPY, and the caller must roll the transaction back. Not thread-safe.
class BulkWriter {
 public:
  BulkWriter(Backend backend, soci::session& session, std::string_view table,
             absl::Span<const std::string_view> columns);
  ~BulkWriter();
  BulkWriter(const BulkWriter&) = delete;
  BulkWriter& operator=(const BulkWriter&) = delete;

  // Appends `row_count` rows; after an error the writer is finished (aborted).
  absl::Status Add(size_t row_count, RowEncoder encode);
  // Appends the rows of `rows`, `columns.size()` values each.
  absl::Status Add(const EncodedRows& rows);
  // Ends the statement: its outcome (constraint violations map as for BulkInsert).
  absl::Status Finish();

 private:
  absl::Status Abort(absl::Status why);
  Backend backend_;
  soci::session& session_;
  std::string table_;
  absl::Span<const std::string_view> columns_;
  bool copying_ = false;  // PostgreSQL: a COPY is open on the connection
  // SQLite: the full-size prepared INSERT, kept across parts (finalized with the writer).
  SqliteStatementPtr sqlite_insert_;
};

// Inserts `row_count` rows into `table` (`columns` in order) on the session's open transaction.
// Constraint violations map as in StatusFromException (unique -> AlreadyExists, foreign key ->
// FailedPrecondition, check/not-null/bad value -> InvalidArgument). On error, the caller must
// roll the transaction back (returning the Status from a Database::Write lambda does).
absl::Status BulkInsert(Backend backend, soci::session& session, std::string_view table,
                        absl::Span<const std::string_view> columns, size_t row_count,
                        RowEncoder encode);

}  // namespace riskcap::db
