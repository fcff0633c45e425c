// Column readers tolerant of each backend's type reporting.
#include "db/internal/row_reader.h"

#include <cstdlib>
#include <ctime>
#include <stdexcept>

#include "core/utf8.h"

namespace riskcap::db {

int64_t RowReader::Int() {
  if (IsNull()) throw std::runtime_error("unexpected NULL in integer column " + std::to_string(index_));
  size_t i = index_++;
  switch (row_.get_properties(i).get_data_type()) {
    case soci::dt_integer: return row_.get<int>(i);
    case soci::dt_long_long: return row_.get<long long>(i);
    case soci::dt_unsigned_long_long: return static_cast<int64_t>(row_.get<unsigned long long>(i));
    case soci::dt_double: return static_cast<int64_t>(row_.get<double>(i));
    case soci::dt_string: return std::stoll(row_.get<std::string>(i));
    default: throw std::runtime_error("column " + std::to_string(i) + " is not an integer");
  }
}

std::optional<int64_t> RowReader::OptInt() {
  if (IsNull()) {
    ++index_;
    return std::nullopt;
  }
  return Int();
}

double RowReader::Double() {
  if (IsNull()) throw std::runtime_error("unexpected NULL in numeric column " + std::to_string(index_));
  size_t i = index_++;
  switch (row_.get_properties(i).get_data_type()) {
    case soci::dt_double: return row_.get<double>(i);
    case soci::dt_integer: return row_.get<int>(i);
    case soci::dt_long_long: return static_cast<double>(row_.get<long long>(i));
    case soci::dt_string: return std::stod(row_.get<std::string>(i));
    default: throw std::runtime_error("column " + std::to_string(i) + " is not numeric");
  }
}

std::optional<double> RowReader::OptDouble() {
  if (IsNull()) {
    ++index_;
    return std::nullopt;
  }
  return Double();
}

std::string RowReader::Str() {
  if (IsNull()) {
    ++index_;
    return "";
  }
  // Text that is not UTF-8 (stored by an older version, or written to the database by hand) is
  // repaired here, the one place every stored string is read: proto3 refuses to carry it, and one
  // bad name must not make every listing fail (docs/operations.md "Input limits").
  return ScrubUtf8(row_.get<std::string>(index_++));
}

bool RowReader::Bool() { return Int() != 0; }

Date RowReader::DateValue() {
  if (IsNull()) throw std::runtime_error("unexpected NULL in date column " + std::to_string(index_));
  size_t i = index_++;
  if (row_.get_properties(i).get_data_type() == soci::dt_date) {
    std::tm tm = row_.get<std::tm>(i);
    return Date(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  }
  std::string text = row_.get<std::string>(i);
  auto parsed = ParseDate(text);
  if (!parsed.ok()) throw std::runtime_error("bad date '" + text + "' in column " + std::to_string(i));
  return *parsed;
}

std::optional<Date> RowReader::OptDate() {
  if (IsNull()) {
    ++index_;
    return std::nullopt;
  }
  return DateValue();
}

std::optional<Money> RowReader::OptMoney() {
  std::optional<int64_t> v = OptInt();
  if (!v) return std::nullopt;
  return Money::FromMicros(*v);
}

std::optional<absl::Time> RowReader::OptTime() {
  std::optional<int64_t> v = OptInt();
  if (!v) return std::nullopt;
  return absl::FromUnixMicros(*v);
}

Nullable<long long> NullableMicros(const std::optional<Money>& m) {
  return Nullable<long long>(m ? std::optional<long long>(m->micros()) : std::nullopt);
}

Nullable<long long> NullableMicros(const std::optional<absl::Time>& t) {
  return Nullable<long long>(t ? std::optional<long long>(absl::ToUnixMicros(*t)) : std::nullopt);
}

Nullable<long long> NullableInt(const std::optional<int64_t>& v) {
  return Nullable<long long>(v ? std::optional<long long>(*v) : std::nullopt);
}

Nullable<std::string> NullableDate(const std::optional<Date>& d) {
  return Nullable<std::string>(d ? std::optional<std::string>(FormatDate(*d)) : std::nullopt);
}

}  // namespace riskcap::db
