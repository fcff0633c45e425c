// Canonical text of snapshot rows: the stable serialisation that snapshot content hashes cover.
#pragma once

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/date.h"
#include "core/enums.h"
#include "core/exposure.h"
#include "core/money.h"
#include "core/nav.h"
#include "core/position.h"
#include "core/row_fields.h"

namespace riskcap {

// Canonical form, version 1. A content hash is the lower-case hex SHA-256 of a batch's text.
//
// Row: one line ending in '\n', its fields in list order (Fields, below), separated by '|':
// - integers: decimal; booleans: "0" / "1";
// - money: the integer number of micro-units ("1234.5" -> "1234500000");
// - doubles: printf "%.17g" (exact round trip), with -0 written as "0";
// - dates: "YYYY-MM-DD"; enums: their canonical name ("OTC_SWAP");
// - strings: verbatim, except '\' -> "\\", '|' -> "\|", LF -> "\n", CR -> "\r";
// - an absent optional field: empty.
//
// Batch: its rows' lines sorted by CanonicalLess — by key (fund_id, then the row's date), then by
// every other field in line order — so the text depends neither on load order nor on how an
// upload was chunked. Rows that compare equal have identical lines.
//
// Fields: each row type's field list, in its order (RowFields beside the type: core/nav.h,
// core/position.h, core/exposure.h). A field is written by its type as listed above (an int32_t
// as an integer). Rows of other types (margin_status's) write their lines with
// CanonicalLineWriter, so every line follows these conventions.
//
// Pure functions; safe for concurrent use.

// Writes one canonical line: fields '|'-separated in call order, as documented above; the line's
// '\n' is written when the writer goes out of scope. The one writer of canonical text.
// Not thread-safe (one line, one writer).
class CanonicalLineWriter {
 public:
  explicit CanonicalLineWriter(std::string* out) : out_(out) {}
  ~CanonicalLineWriter() { out_->push_back('\n'); }
  CanonicalLineWriter(const CanonicalLineWriter&) = delete;
  CanonicalLineWriter& operator=(const CanonicalLineWriter&) = delete;

  CanonicalLineWriter& Int(int64_t v);
  CanonicalLineWriter& Bool(bool v) { return Raw(v ? "1" : "0"); }
  CanonicalLineWriter& Amount(Money v) { return Int(v.micros()); }
  CanonicalLineWriter& Day(Date v);
  CanonicalLineWriter& Double(double v);
  template <typename E>
  CanonicalLineWriter& Enum(E v) {
    return Raw(EnumName(v));
  }
  CanonicalLineWriter& Str(std::string_view v);
  // An absent optional field.
  CanonicalLineWriter& Empty() { return Raw({}); }
  // Any of the above by the value's type; an optional writes Empty() when absent.
  template <typename T>
  CanonicalLineWriter& Value(const T& v);

 private:
  void Separate() {
    if (!first_) out_->push_back('|');
    first_ = false;
  }
  CanonicalLineWriter& Raw(std::string_view text) {
    Separate();
    out_->append(text);
    return *this;
  }

  std::string* out_;
  bool first_ = true;
};

// Appends the row's line (with its '\n') to `out`.
void AppendCanonical(const NavSnapshot& row, std::string* out);
void AppendCanonical(const NavHistoryEntry& row, std::string* out);
void AppendCanonical(const Position& row, std::string* out);
void AppendCanonical(const FundExposure& row, std::string* out);

// The batch order (see above). A strict weak order for rows with finite doubles.
bool CanonicalLess(const NavSnapshot& a, const NavSnapshot& b);
bool CanonicalLess(const NavHistoryEntry& a, const NavHistoryEntry& b);
bool CanonicalLess(const Position& a, const Position& b);
bool CanonicalLess(const FundExposure& a, const FundExposure& b);

// The row's line, '\n' included.
template <typename Row>
std::string CanonicalLine(const Row& row) {
  std::string line;
  AppendCanonical(row, &line);
  return line;
}

// The indexes of `rows` in batch order. Sorts indexes, not the rows: one size_t per row.
template <typename Row>
std::vector<size_t> CanonicalOrder(const std::vector<Row>& rows) {
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&rows](size_t a, size_t b) { return CanonicalLess(rows[a], rows[b]); });
  return order;
}

// Calls `sink(std::string_view line)` for each row's line in batch order. The extra memory is
// one size_t per row plus one line.
template <typename Row, typename Sink>
void ForEachCanonicalLine(const std::vector<Row>& rows, Sink&& sink) {
  std::string line;
  for (size_t i : CanonicalOrder(rows)) {
    line.clear();
    AppendCanonical(rows[i], &line);
    sink(std::string_view(line));
  }
}

// The whole batch text; for tests and small batches (hash large ones line by line).
template <typename Row>
std::string CanonicalBatch(const std::vector<Row>& rows) {
  std::string text;
  ForEachCanonicalLine(rows, [&text](std::string_view line) { text.append(line); });
  return text;
}

template <typename T>
CanonicalLineWriter& CanonicalLineWriter::Value(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return Bool(v);
  } else if constexpr (std::is_integral_v<T>) {
    return Int(v);
  } else if constexpr (std::is_enum_v<T>) {
    return Enum(v);
  } else if constexpr (std::is_same_v<T, Money>) {
    return Amount(v);
  } else if constexpr (std::is_same_v<T, Date>) {
    return Day(v);
  } else if constexpr (std::is_same_v<T, double>) {
    return Double(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return Str(v);
  } else if constexpr (kIsOptional<T>) {
    return v ? Value(*v) : Empty();
  } else {
    static_assert(sizeof(T) == 0, "no canonical form for this field type");
  }
}

}  // namespace riskcap
