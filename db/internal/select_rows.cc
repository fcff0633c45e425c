// Keyset page queries over optional filters, and the page check every list method shares.
#include "db/internal/select_rows.h"

#include <limits>
#include <utility>

#include "db/internal/row_reader.h"

namespace riskcap::db {

absl::Status CheckPage(const Page& page) {
  if (page.limit < 1) return absl::InvalidArgumentError("page limit must be at least 1");
  if (page.after_id < 0) return absl::InvalidArgumentError("page after_id must not be negative");
  return absl::OkStatus();
}

absl::Status RequireRow(soci::session& s, std::string_view table, long long id,
                        std::string_view owner, std::string_view noun) {
  return RequireRows(s, table, {id}, owner, noun);
}

absl::Status RequireRows(soci::session& s, std::string_view table, const std::set<long long>& ids,
                         std::string_view owner, std::string_view noun) {
  if (ids.empty()) return absl::OkStatus();
  KeysetQuery q("id", table, Page{0, static_cast<int>(ids.size())});
  q.WhereIn("id", std::vector<long long>(ids.begin(), ids.end()));
  std::vector<long long> found = q.Run(s, +[](const soci::row& row) {
    return static_cast<long long>(RowReader(row).Int());
  });
  std::set<long long> present(found.begin(), found.end());
  for (long long id : ids) {
    if (!present.count(id)) {
      return absl::FailedPreconditionError(
          absl::StrCat(AbslView(owner), " ", id, ": no such ", AbslView(noun)));
    }
  }
  return absl::OkStatus();
}

KeysetQuery::KeysetQuery(std::string_view columns, std::string_view table, const Page& page,
                         Order order, std::string_view key)
    : select_(absl::StrCat("SELECT ", AbslView(columns), " FROM ", AbslView(table), " WHERE ",
                           AbslView(key), order == Order::kOldestFirst ? " > :after" : " < :after")),
      order_by_(absl::StrCat(" ORDER BY ", AbslView(key),
                             order == Order::kOldestFirst ? "" : " DESC")),
      limit_(page.limit) {
  long long after = page.after_id;
  if (order == Order::kNewestFirst && after == 0) after = std::numeric_limits<long long>::max();
  values_.emplace_back(after);
}

void KeysetQuery::Where(std::string_view condition) {
  absl::StrAppend(&conditions_, " AND ", AbslView(condition));
}

void KeysetQuery::Where(std::string_view condition, long long value) {
  absl::StrAppend(&conditions_, " AND ", AbslView(condition));
  values_.emplace_back(value);
}

void KeysetQuery::Where(std::string_view condition, std::string value) {
  absl::StrAppend(&conditions_, " AND ", AbslView(condition));
  values_.emplace_back(std::move(value));
}

void KeysetQuery::WhereIn(std::string_view column, const std::vector<std::string>& values) {
  absl::StrAppend(&conditions_, " AND ", AbslView(column), " IN (");
  for (size_t i = 0; i < values.size(); ++i) {
    absl::StrAppend(&conditions_, i == 0 ? ":in" : ", :in", i);
    values_.emplace_back(values[i]);
  }
  absl::StrAppend(&conditions_, ")");
}

void KeysetQuery::WhereIn(std::string_view column, const std::vector<long long>& values) {
  absl::StrAppend(&conditions_, " AND ", AbslView(column), " IN (");
  for (size_t i = 0; i < values.size(); ++i) {
    absl::StrAppend(&conditions_, i == 0 ? ":in" : ", :in", i);
    values_.emplace_back(values[i]);
  }
  absl::StrAppend(&conditions_, ")");
}

soci::rowset<soci::row> KeysetQuery::Execute(soci::session& s) {
  // Bound in placeholder order: after, the conditions' values, then limit.
  soci::details::prepare_temp_type prepared =
      (s.prepare << absl::StrCat(select_, conditions_, order_by_, " LIMIT :limit"));
  for (auto& value : values_) {
    std::visit([&](auto& v) { prepared, soci::use(v); }, value);
  }
  prepared, soci::use(limit_);
  return soci::rowset<soci::row>(prepared);
}

}  // namespace riskcap::db
