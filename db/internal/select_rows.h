// Internal to db/: SELECT helpers for the store's entity tables — one row by key, and keyset
// pages filtered by whichever optional conditions the caller has, so each query names only those.
#pragma once

#include <deque>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <soci/soci.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "db/store.h"

namespace riskcap::db {

// InvalidArgument unless limit >= 1 and after_id >= 0.
absl::Status CheckPage(const Page& page);

// FailedPrecondition "<owner> <id>: no such <noun>" unless `table` has a row with that id. Callers
// check before inserting so the message names the field; the foreign key still guards races.
absl::Status RequireRow(soci::session& s, std::string_view table, long long id,
                        std::string_view owner, std::string_view noun);
// RequireRow for many ids in one query: FailedPrecondition for the smallest id `table` lacks.
absl::Status RequireRows(soci::session& s, std::string_view table, const std::set<long long>& ids,
                         std::string_view owner, std::string_view noun);

// The row `sql` selects with `key` bound to its one placeholder, read by `read`; NotFound
// "<what> not found" when there is none.
template <typename T, typename Key>
absl::StatusOr<T> SelectOne(soci::session& s, const std::string& sql, Key key,
                            T (*read)(const soci::row&), std::string_view what) {
  static_assert(std::is_same_v<Key, long long> || std::is_same_v<Key, std::string>,
                "bind ids as long long: SOCI has no exchange type for int64_t's long");
  soci::rowset<soci::row> rows = (s.prepare << sql, soci::use(key));
  for (const soci::row& row : rows) return read(row);
  return absl::NotFoundError(absl::StrCat(AbslView(what), " not found"));
}

// "SELECT <columns> FROM <table> WHERE id > :after [AND <condition>]... ORDER BY id LIMIT :limit",
// or, newest first, "... WHERE id < :after ... ORDER BY id DESC" (after_id 0 = from the newest).
// `key` names another key column than `id` (e.g. fund_id within one snapshot version).
// Conditions are SQL fragments with one ":name" placeholder per bound value, in order. Values are
// owned here because SOCI binds by reference: keep the query alive until Run returns.
class KeysetQuery {
 public:
  enum class Order { kOldestFirst, kNewestFirst };
  KeysetQuery(std::string_view columns, std::string_view table, const Page& page,
              Order order = Order::kOldestFirst, std::string_view key = "id");

  void Where(std::string_view condition);  // binds no value, e.g. "revoked_at_us IS NULL"
  void Where(std::string_view condition, long long value);
  void Where(std::string_view condition, std::string value);
  // "<column> IN (:p0, :p1, ...)"; `values` must not be empty.
  void WhereIn(std::string_view column, const std::vector<std::string>& values);
  void WhereIn(std::string_view column, const std::vector<long long>& values);

  template <typename T>
  std::vector<T> Run(soci::session& s, T (*read)(const soci::row&)) {
    std::vector<T> out;
    for (const soci::row& row : Execute(s)) out.push_back(read(row));
    return out;
  }

 private:
  soci::rowset<soci::row> Execute(soci::session& s);

  std::string select_;
  std::string conditions_;
  std::string order_by_;
  long long limit_;
  std::deque<std::variant<long long, std::string>> values_;  // deque: stable addresses
};

}  // namespace riskcap::db
