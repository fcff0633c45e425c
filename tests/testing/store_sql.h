// Raw SQL on a test's store, for what the Store API leaves out on purpose: tampering with the
// audit trail, dropping or adding a trigger, holding a lock, reading rows as stored. db/internal/
// is db's own; tests outside tests/db reach the database only through this header.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <soci/soci.h>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/store.h"

namespace riskcap::testing {

// Runs `sql` (one statement) in a write transaction of its own.
absl::Status ExecSql(db::Store& store, const std::string& sql);
// Runs `script` (statements separated by ';', as psql or sqlite3 would) in a write transaction.
absl::Status ExecScriptSql(db::Store& store, const std::string& script);
// Runs `fn` in a write transaction (committed when it returns OK) or a read-only one.
absl::Status WriteSql(db::Store& store, absl::FunctionRef<absl::Status(soci::session&)> fn);
absl::Status ReadSql(db::Store& store, absl::FunctionRef<absl::Status(soci::session&)> fn);

// A cell as text, whatever type the backend reports: integers in full, doubles with 17
// significant digits (-0 as 0), dates as YYYY-MM-DD, NULL as "NULL".
std::string SqlCellText(const soci::row& row, size_t column);
// The rows `sql` returns, each cell as SqlCellText, and the columns' names.
struct SqlRows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};
absl::StatusOr<SqlRows> QuerySql(db::Store& store, const std::string& sql);
// The one integer `sql` returns (a COUNT, an id); NotFound when it returns no row or NULL.
absl::StatusOr<int64_t> QueryInt(db::Store& store, const std::string& sql);

// A session of the store's pool held outside any transaction until destroyed, for a test that
// holds a lock or runs a statement no transaction may hold (VACUUM, DDL on some backends).
class HeldSession {
 public:
  virtual ~HeldSession() = default;
  virtual soci::session& session() = 0;
};
absl::StatusOr<std::unique_ptr<HeldSession>> HoldSession(db::Store& store);

}  // namespace riskcap::testing
