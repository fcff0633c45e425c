// Field lists of the snapshot row types: one declaration per row type naming every member in
// canonical order, which the canonical text, the upload spool's codec and the snapshot tables'
// row mapping all iterate, so that a field added to a row type is written everywhere at once.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace riskcap {

// One field of `Row`: its name (the member's), its column in the row type's snapshot table, and
// the member. What a field is written as follows from its type (T).
template <typename Row, typename T>
struct RowField {
  using Type = T;
  std::string_view name;
  std::string_view column;
  T Row::*member;
};

// A field whose column has the field's name.
template <typename Row, typename T>
constexpr RowField<Row, T> Field(std::string_view name, T Row::*member) {
  return {name, name, member};
}
template <typename Row, typename T>
constexpr RowField<Row, T> Field(std::string_view name, T Row::*member, std::string_view column) {
  return {name, column, member};
}

// Specialised beside each row type (core/position.h, core/nav.h, core/exposure.h):
//   static constexpr auto kFields = std::make_tuple(Field("fund_id", &Row::fund_id), ...);
// listing every member once, in canonical order (core/canonical.h). Adding a member to a row
// type means adding it here, and a column to its table (a migration); the header's
// static_assert(ListsEveryMember<Row>()) fails to compile when a member is left out.
template <typename Row>
struct RowFields;

template <typename Row>
inline constexpr size_t kFieldCount = std::tuple_size_v<decltype(RowFields<Row>::kFields)>;

// Calls `visit(field, value)` for each field in order: `field` is the RowField, `value` the
// row's member (a const reference when Row is const).
template <typename Row, typename Visit>
constexpr void VisitFields(Row& row, Visit&& visit) {
  std::apply([&](const auto&... field) { (visit(field, row.*field.member), ...); },
             RowFields<std::remove_const_t<Row>>::kFields);
}

// The fields' columns, in order.
template <typename Row>
constexpr std::array<std::string_view, kFieldCount<Row>> FieldColumns() {
  return std::apply([](const auto&... field) { return std::array{field.column...}; },
                    RowFields<Row>::kFields);
}

// The fields' names, in order.
template <typename Row>
constexpr std::array<std::string_view, kFieldCount<Row>> FieldNames() {
  return std::apply([](const auto&... field) { return std::array{field.name...}; },
                    RowFields<Row>::kFields);
}

// Whether T is a std::optional: an optional field is absent or its value type's.
template <typename T>
inline constexpr bool kIsOptional = false;
template <typename T>
inline constexpr bool kIsOptional<std::optional<T>> = true;

// Lexicographic order over every field, as std::tuple's operator< over the members would give.
template <typename Row>
bool FieldsLess(const Row& a, const Row& b);

// True when the list names each member of the aggregate `Row` exactly once.
template <typename Row>
constexpr bool ListsEveryMember();

// ---- Implementation.

namespace row_fields_internal {

// Converts to anything: counts an aggregate's members by how many initialise it.
struct AnyValue {
  template <typename T>
  operator T() const;
};

template <typename Row, size_t... I>
constexpr bool InitialisesFrom(std::index_sequence<I...>) {
  return requires { Row{(void(I), AnyValue{})...}; };
}

template <typename Row, size_t N = 0>
constexpr size_t MemberCount() {
  if constexpr (!InitialisesFrom<Row>(std::make_index_sequence<N + 1>())) {
    return N;
  } else {
    return MemberCount<Row, N + 1>();
  }
}

template <typename Row, typename T, typename U>
constexpr bool SameMember(const RowField<Row, T>& a, const RowField<Row, U>& b) {
  if constexpr (std::is_same_v<T, U>) {
    return a.member == b.member;
  } else {
    return false;
  }
}

// Three-way comparison as std::tuple's (synth-three-way): <=> when the type has it, else <.
template <typename T>
std::partial_ordering Compare(const T& a, const T& b) {
  if constexpr (std::three_way_comparable<T>) {
    return a <=> b;
  } else {
    return a < b ? std::partial_ordering::less
                 : b < a ? std::partial_ordering::greater : std::partial_ordering::equivalent;
  }
}

}  // namespace row_fields_internal

template <typename Row>
bool FieldsLess(const Row& a, const Row& b) {
  return std::apply(
      [&](const auto&... field) {
        std::partial_ordering c = std::partial_ordering::equivalent;
        // Stops at the first field that differs (or is unordered, as NaN is).
        (void)(((c = row_fields_internal::Compare(a.*field.member, b.*field.member)) != 0) || ...);
        return c < 0;
      },
      RowFields<Row>::kFields);
}

template <typename Row>
constexpr bool ListsEveryMember() {
  if (kFieldCount<Row> != row_fields_internal::MemberCount<Row>()) return false;
  return std::apply(
      [](const auto&... a) {
        auto once = [&](const auto& field) {
          return (int{row_fields_internal::SameMember(field, a)} + ...) == 1;
        };
        return (once(a) && ...);
      },
      RowFields<Row>::kFields);
}

}  // namespace riskcap
