// Row mapping of the snapshot tables: encoders and readers in column order, over the row types'
// field lists.
#include "db/internal/snapshot_rows.h"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "db/internal/row_reader.h"

namespace riskcap::db {
std::string SelectFrom(std::string_view table, absl::Span<const std::string_view> columns,
                       size_t keys) {
  std::string list;
  for (std::string_view c : columns.subspan(keys)) {
    absl::StrAppend(&list, list.empty() ? "" : ", ", AbslView(c));
  }
  return absl::StrCat("SELECT ", list, " FROM ", AbslView(table));
}

namespace {

template <typename T>
void Put(RowSink& out, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    out.Bool(v);
  } else if constexpr (std::is_integral_v<T>) {
    out.Int(v);
  } else if constexpr (std::is_enum_v<T>) {
    out.Enum(v);
  } else if constexpr (std::is_same_v<T, Money>) {
    out.MoneyValue(v);
  } else if constexpr (std::is_same_v<T, Date>) {
    out.DateValue(v);
  } else if constexpr (std::is_same_v<T, double>) {
    out.Double(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    out.Text(v);
  } else if constexpr (kIsOptional<T>) {
    if (v) {
      Put(out, *v);
    } else {
      out.Null();
    }
  } else {
    static_assert(sizeof(T) == 0, "no column encoding for this field type");
  }
}

template <typename T>
void Get(RowReader& r, T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    v = r.Bool();
  } else if constexpr (std::is_integral_v<T>) {
    v = static_cast<T>(r.Int());
  } else if constexpr (std::is_enum_v<T>) {
    v = r.Enum<T>();
  } else if constexpr (std::is_same_v<T, Money>) {
    v = r.MoneyValue();
  } else if constexpr (std::is_same_v<T, Date>) {
    v = r.DateValue();
  } else if constexpr (std::is_same_v<T, double>) {
    v = r.Double();
  } else if constexpr (std::is_same_v<T, std::string>) {
    v = r.Str();
  } else if constexpr (std::is_same_v<T, std::optional<Money>>) {
    v = r.OptMoney();
  } else if constexpr (std::is_same_v<T, std::optional<Date>>) {
    v = r.OptDate();
  } else if constexpr (std::is_same_v<T, std::optional<double>>) {
    v = r.OptDouble();
  } else if constexpr (std::is_same_v<T, std::optional<int64_t>>) {
    v = r.OptInt();
  } else if constexpr (kIsOptional<T> && std::is_enum_v<typename T::value_type>) {
    v = r.OptEnum<typename T::value_type>();
  } else {
    static_assert(sizeof(T) == 0, "no column decoding for this field type");
  }
}

template <typename Row>
void EncodeFields(const Row& row, RowSink& out) {
  VisitFields(row, [&out](const auto&, const auto& value) { Put(out, value); });
}

template <typename Row>
Row ReadFields(const soci::row& row) {
  RowReader r(row);
  Row out;
  VisitFields(out, [&r](const auto&, auto& value) { Get(r, value); });
  return out;
}

}  // namespace

void EncodeNavSnapshot(const NavSnapshot& n, RowSink& out) { EncodeFields(n, out); }
NavSnapshot ReadNavSnapshot(const soci::row& row) { return ReadFields<NavSnapshot>(row); }
void EncodeNavHistory(const NavHistoryEntry& h, RowSink& out) { EncodeFields(h, out); }
NavHistoryEntry ReadNavHistory(const soci::row& row) { return ReadFields<NavHistoryEntry>(row); }
void EncodePosition(const Position& p, RowSink& out) { EncodeFields(p, out); }
Position ReadPosition(const soci::row& row) { return ReadFields<Position>(row); }
void EncodeExposure(const FundExposure& e, RowSink& out) { EncodeFields(e, out); }
FundExposure ReadExposure(const soci::row& row) { return ReadFields<FundExposure>(row); }

}  // namespace riskcap::db
