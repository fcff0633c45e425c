// Raw SQL on a test's store, over the store's own session pool (db/internal/database.h).
#include "tests/testing/store_sql.h"

#include <ctime>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "db/internal/database.h"

namespace riskcap::testing {
namespace {

class PooledSession : public HeldSession {
 public:
  explicit PooledSession(db::Database::Lease lease) : lease_(std::move(lease)) {}
  soci::session& session() override { return *lease_; }

 private:
  db::Database::Lease lease_;
};

}  // namespace

std::string SqlCellText(const soci::row& row, size_t column) {
  if (row.get_indicator(column) == soci::i_null) return "NULL";
  switch (row.get_properties(column).get_data_type()) {
    case soci::dt_integer:
      return absl::StrCat(row.get<int>(column));
    case soci::dt_long_long:
      return absl::StrCat(row.get<long long>(column));
    case soci::dt_unsigned_long_long:
      return absl::StrCat(row.get<unsigned long long>(column));
    case soci::dt_double:
      return absl::StrFormat("%.17g", row.get<double>(column) + 0.0);
    case soci::dt_date: {
      std::tm t = row.get<std::tm>(column);
      return absl::StrFormat("%04d-%02d-%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday);
    }
    default:
      return row.get<std::string>(column);
  }
}

absl::Status ExecSql(db::Store& store, const std::string& sql) {
  return WriteSql(store, [&](soci::session& s) -> absl::Status {
    s << sql;
    return absl::OkStatus();
  });
}

absl::Status ExecScriptSql(db::Store& store, const std::string& script) {
  db::Database& database = store.database();
  return database.Write(
      [&](soci::session& s) -> absl::Status { return database.ExecScript(s, script); });
}

absl::Status WriteSql(db::Store& store, absl::FunctionRef<absl::Status(soci::session&)> fn) {
  return store.database().Write([&](soci::session& s) { return fn(s); });
}

absl::Status ReadSql(db::Store& store, absl::FunctionRef<absl::Status(soci::session&)> fn) {
  return store.database().Read([&](soci::session& s) { return fn(s); });
}

absl::StatusOr<SqlRows> QuerySql(db::Store& store, const std::string& sql) {
  SqlRows out;
  absl::Status st = ReadSql(store, [&](soci::session& s) -> absl::Status {
    soci::rowset<soci::row> rows = s.prepare << sql;
    for (const soci::row& row : rows) {
      if (out.columns.empty()) {
        for (size_t i = 0; i < row.size(); ++i) {
          out.columns.push_back(row.get_properties(i).get_name());
        }
      }
      std::vector<std::string>& cells = out.rows.emplace_back();
      for (size_t i = 0; i < row.size(); ++i) cells.push_back(SqlCellText(row, i));
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<int64_t> QueryInt(db::Store& store, const std::string& sql) {
  auto rows = QuerySql(store, sql);
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty() || rows->rows.front().empty() || rows->rows.front().front() == "NULL") {
    return absl::NotFoundError(absl::StrCat("no value from: ", sql));
  }
  return std::stoll(rows->rows.front().front());
}

absl::StatusOr<std::unique_ptr<HeldSession>> HoldSession(db::Store& store) {
  auto lease = store.database().Acquire();
  if (!lease.ok()) return lease.status();
  return std::unique_ptr<HeldSession>(new PooledSession(std::move(*lease)));
}

}  // namespace riskcap::testing
