// Test support: snapshot rows built from their field lists (core/row_fields.h), every field set
// to a value no other field has, so that a serialisation that drops, swaps or mistypes a field
// does not round-trip. Used by the canonical, spool, database and proto tests of each row type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/date.h"
#include "core/enums.h"
#include "core/money.h"
#include "core/row_fields.h"

namespace riskcap::testing {

namespace distinct_rows_internal {

// Text the field's validation accepts where it has rules (uploads and table checks), else text
// naming the field's place.
inline std::string Text(std::string_view field, int k, bool other) {
  if (field == "isin") return other ? "BRVALEACNOR0" : "BRPETRACNPR6";
  if (field == "currency") return other ? "EUR" : "USD";
  if (field == "direction") return other ? "SHORT" : "LONG";
  if (field == "option_type") return other ? "PUT" : "CALL";
  return absl::StrCat(other ? "other " : "text ", k);
}

// A value for field number `k` (1-based) that no other field of the row has and that differs
// from `usual` (the member's default); `other` gives a second such value, different from the
// first. Optionals are present; with `other`, absent.
template <typename T>
T Value(std::string_view field, int k, bool other, const T& usual) {
  if constexpr (std::is_same_v<T, bool>) {
    return !other;
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<T>((other ? 200 : 100) + k);
  } else if constexpr (std::is_enum_v<T>) {
    const size_t n = EnumNames<T>::kNames.size();
    size_t i = static_cast<size_t>(k) % n;
    if (static_cast<T>(i) == usual) i = (i + 1) % n;
    if (other) {  // the next one, again not the default (every enum here has 3 or more values)
      i = (i + 1) % n;
      if (static_cast<T>(i) == usual) i = (i + 1) % n;
    }
    return static_cast<T>(i);
  } else if constexpr (std::is_same_v<T, Money>) {
    return Money::FromMicros((other ? -1 : 1) * (k * 1'000'003 + 7));
  } else if constexpr (std::is_same_v<T, Date>) {
    return Date(2020, 1, 1) + 10 * k + (other ? 5 : 0);
  } else if constexpr (std::is_same_v<T, double>) {
    return (other ? -1 : 1) * (k + 0.125);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return Text(field, k, other);
  } else if constexpr (kIsOptional<T>) {
    if (other) return std::nullopt;
    return Value<typename T::value_type>(field, k, false, typename T::value_type{});
  } else {
    static_assert(sizeof(T) == 0, "no distinct test value for this field type");
  }
}

}  // namespace distinct_rows_internal

// A row whose every field holds a distinct value, none its default.
template <typename Row>
Row DistinctRow() {
  const Row defaults{};
  Row row;
  int k = 0;
  VisitFields(row, [&](const auto& field, auto& value) {
    ++k;
    value = distinct_rows_internal::Value(field.name, k, false, defaults.*field.member);
  });
  return row;
}

// For each field, `base` with that field alone changed (an optional made absent), named by the
// field.
template <typename Row>
std::vector<std::pair<std::string, Row>> OneFieldChanged(const Row& base) {
  const Row defaults{};
  std::vector<std::pair<std::string, Row>> out;
  int k = 0;
  VisitFields(base, [&](const auto& field, const auto&) {
    ++k;
    Row changed = base;
    changed.*field.member =
        distinct_rows_internal::Value(field.name, k, true, defaults.*field.member);
    out.emplace_back(std::string(field.name), std::move(changed));
  });
  return out;
}

}  // namespace riskcap::testing
