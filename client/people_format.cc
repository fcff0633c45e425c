// Percentages and grouped money for the text output.
#include "client/people_format.h"

#include <cmath>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace riskcap::client {
namespace {

constexpr std::string_view kMoneySuffixes[] = {
    "margin", "nav", "notional", "market_value", "_balance", "derivatives_exposure",
    "derivatives_at_risk", "amount", "schedule_im", "saccr_ead"};
// Fractions of NAV (or of a count): caps, utilisation, rates, shares, returns, VaR, stress.
constexpr std::string_view kPercentSuffixes[] = {
    "utilisation", "_cap", "_rate", "_share", "_pct", "share_of_nav", "return_day",
    "return_month", "return_year", "var_95", "var_99", "stress_bull", "stress_bear"};

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string Grouped(std::string_view digits) {
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

ColumnKind ColumnKindOf(std::string_view column) {
  if (column == "cap") return ColumnKind::kPercent;
  for (std::string_view suffix : kPercentSuffixes) {
    if (column.ends_with(suffix)) return ColumnKind::kPercent;
  }
  for (std::string_view suffix : kMoneySuffixes) {
    if (column.ends_with(suffix)) return ColumnKind::kMoney;
  }
  return ColumnKind::kPlain;
}

std::string GroupedMoney(std::string_view decimal) {
  std::string_view text = decimal;
  const bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  const size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (!AllDigits(whole) || (dot != std::string_view::npos && !AllDigits(fraction))) {
    return std::string(decimal);
  }
  std::string cents_digits = std::string(fraction.substr(0, 2));
  cents_digits.resize(2, '0');
  std::string digits = std::string(whole) + cents_digits;
  if (fraction.size() > 2 && fraction[2] >= '5') {  // round half away from zero: carry
    size_t i = digits.size();
    while (i > 0 && digits[i - 1] == '9') digits[--i] = '0';
    if (i == 0) {
      digits.insert(digits.begin(), '1');
    } else {
      ++digits[i - 1];
    }
  }
  std::string_view integer = std::string_view(digits).substr(0, digits.size() - 2);
  size_t first = integer.find_first_not_of('0');
  integer = first == std::string_view::npos ? "0" : integer.substr(first);
  const bool zero = integer == "0" && digits.substr(digits.size() - 2) == "00";
  return std::string(negative && !zero ? "-" : "") + Grouped(integer) + "." +
         digits.substr(digits.size() - 2);
}

std::string Percent(double fraction) {
  if (!std::isfinite(fraction)) return absl::StrCat(fraction);
  return absl::StrFormat("%.2f%%", fraction * 100);
}

std::string PeopleText(std::string_view column, const Json& cell) {
  switch (ColumnKindOf(column)) {
    case ColumnKind::kMoney:
      if (cell.is_string()) return GroupedMoney(cell.get<std::string>());
      break;
    case ColumnKind::kPercent:
      if (cell.is_number()) return Percent(cell.get<double>());
      break;
    case ColumnKind::kPlain:
      break;
  }
  return CellText(cell, true);
}

}  // namespace riskcap::client
