// Internal to db/: reads core values out of a soci::row column by column, whatever integer or
// date representation the backend chose (SQLite reports INTEGER as int, PostgreSQL DATE as tm).
// Conversion failures throw std::runtime_error, which Database::Write/Read turn into Internal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <soci/soci.h>

#include "absl/time/time.h"
#include "core/date.h"
#include "core/enums.h"
#include "core/money.h"

namespace riskcap::db {

class RowReader {
 public:
  explicit RowReader(const soci::row& row) : row_(row) {}

  int64_t Int();
  std::optional<int64_t> OptInt();
  double Double();
  std::optional<double> OptDouble();
  std::string Str();  // NULL reads as ""; bytes that are not UTF-8 read as U+FFFD
  bool Bool();        // 0/1 column
  Date DateValue();
  std::optional<Date> OptDate();
  Money MoneyValue() { return Money::FromMicros(Int()); }
  std::optional<Money> OptMoney();
  absl::Time Time() { return absl::FromUnixMicros(Int()); }
  std::optional<absl::Time> OptTime();

  template <typename E>
  E Enum() {
    return Parsed<E>(Str());
  }
  // NULL or "" reads as none (the CHECK constraints never admit "" for enum columns).
  template <typename E>
  std::optional<E> OptEnum() {
    std::string text = Str();
    if (text.empty()) return std::nullopt;
    return Parsed<E>(text);
  }

 private:
  template <typename E>
  static E Parsed(const std::string& text) {
    auto parsed = ParseEnum<E>(text);
    if (!parsed.ok()) throw std::runtime_error(std::string(parsed.status().message()));
    return *parsed;
  }
  bool IsNull() const { return row_.get_indicator(index_) == soci::i_null; }
  const soci::row& row_;
  size_t index_ = 0;
};

// A value to bind with soci::use(x.value, x.indicator) that may be NULL. Must outlive the
// statement execution (bind named locals, never temporaries).
template <typename T>
struct Nullable {
  T value{};
  soci::indicator indicator = soci::i_null;
  Nullable() = default;
  explicit Nullable(const std::optional<T>& v) {
    if (v) {
      value = *v;
      indicator = soci::i_ok;
    }
  }
};

Nullable<long long> NullableMicros(const std::optional<Money>& m);
Nullable<long long> NullableMicros(const std::optional<absl::Time>& t);
Nullable<long long> NullableInt(const std::optional<int64_t>& v);
Nullable<std::string> NullableDate(const std::optional<Date>& d);

}  // namespace riskcap::db
