// Internal to db/: backend-neutral rows for the backup (db/backup.h) — reading any table of
// either backend in bounded chunks, a canonical text of each row that is identical on both
// backends, and a prepared statement that takes such rows' values as parameters.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/sha256.h"
#include "db/store_url.h"

namespace riskcap::db {

// One value as the backup moves it. Dates travel as their ISO text (PostgreSQL DATE is read in
// ISO DateStyle; SQLite stores the same text), flags and counts as integers.
struct Cell {
  enum class Kind { kNull, kInt, kDouble, kText };
  Kind kind = Kind::kNull;
  int64_t int_value = 0;
  double double_value = 0;
  std::string text;
};
using Row = std::vector<Cell>;

// Reads the rows of one query in order, a chunk at a time, inside the session's open transaction:
// a NO SCROLL cursor on PostgreSQL, a stepped statement on SQLite. Never holds more than one
// chunk. Not thread-safe; must be destroyed before the transaction ends.
class RowCursor {
 public:
  virtual ~RowCursor() = default;
  // Replaces `rows` with the next up to `max_rows` rows; leaves it empty at the end.
  virtual absl::Status Next(size_t max_rows, std::vector<Row>* rows) = 0;
};

absl::StatusOr<std::unique_ptr<RowCursor>> OpenRowCursor(Backend backend, soci::session& session,
                                                         const std::string& select_sql);

// Appends the canonical text of `row`: values separated by tabs, a newline at the end; NULL as
// \N, integers in decimal, doubles in their shortest round-trip form (so a value read back from
// either backend prints the same), text with \ tab newline and CR escaped as in COPY.
void AppendCanonicalRow(const Row& row, std::string* out);

// Row count and SHA-256 of a table's canonical text: a header line of its column names, then
// every row in primary-key order. The same rows hash the same whichever backend holds them.
class TableHasher {
 public:
  explicit TableHasher(const std::vector<std::string>& columns);
  void Add(const Row& row);
  int64_t rows() const { return rows_; }
  std::string FinishHex();  // the hasher must not be used afterwards

 private:
  Sha256 sha_;
  int64_t rows_ = 0;
  std::string buffer_;
};

// A statement prepared once and executed per row with Cell parameters ($1, $2, ... in the SQL,
// which both backends accept). Used inside the caller's transaction. Not thread-safe.
class CellStatement {
 public:
  virtual ~CellStatement() = default;
  virtual absl::Status Execute(const std::vector<const Cell*>& params) = 0;
};

absl::StatusOr<std::unique_ptr<CellStatement>> PrepareCellStatement(Backend backend,
                                                                    soci::session& session,
                                                                    const std::string& sql);

}  // namespace riskcap::db
