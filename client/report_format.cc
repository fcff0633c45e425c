// Text formatting for the HTML dashboard.
#include "client/report_format.h"

#include <cmath>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace riskcap::client {

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

bool IsDecimal(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && frac.empty())) return false;
  for (char c : whole)
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  for (char c : frac)
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Adds one unit in the last place of a digit string; "99" -> "100".
std::string IncrementDigits(std::string digits) {
  for (size_t i = digits.size(); i-- > 0;) {
    if (digits[i] != '9') {
      ++digits[i];
      return digits;
    }
    digits[i] = '0';
  }
  return "1" + digits;
}

}  // namespace

std::string FormatAmount(std::string_view decimal) {
  if (!IsDecimal(decimal)) return std::string(decimal);
  bool negative = decimal[0] == '-';
  if (negative) decimal.remove_prefix(1);
  size_t dot = decimal.find('.');
  std::string frac = dot == std::string_view::npos ? "" : std::string(decimal.substr(dot + 1));
  while (frac.size() < 3) frac += '0';
  // Digits in cents, then rounded on the third decimal (half away from zero).
  std::string cents = std::string(decimal.substr(0, dot)) + frac.substr(0, 2);
  if (frac[2] >= '5') cents = IncrementDigits(cents);
  size_t first = cents.find_first_not_of('0');
  cents = first == std::string::npos ? "0" : cents.substr(first);
  while (cents.size() < 3) cents = "0" + cents;
  std::string_view whole = std::string_view(cents).substr(0, cents.size() - 2);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  const bool zero = cents.find_first_not_of('0') == std::string::npos;
  return absl::StrCat(negative && !zero ? "-" : "", grouped, ".", cents.substr(cents.size() - 2));
}

std::string EnumLabel(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kSpecial[] = {
      {"ACOES", "Ações"}, {"FIDC", "FIDC"}, {"FII", "FII"}, {"OTC", "OTC"}};
  for (const auto& [code, label] : kSpecial) {
    if (name == code) return std::string(label);
  }
  std::string out(name);
  bool word_start = true;
  for (char& c : out) {
    if (c == '_') {
      c = ' ';
      word_start = true;
      continue;
    }
    c = word_start ? absl::ascii_toupper(static_cast<unsigned char>(c))
                   : absl::ascii_tolower(static_cast<unsigned char>(c));
    word_start = false;
  }
  return out;
}

std::string StatusLabel(std::string_view name) {
  if (name == "NOT_APPLICABLE" || name.empty()) return "N/A";
  if (name.substr(0, 9) == "RECEIVED_") name.remove_prefix(9);
  std::string out(name);
  for (size_t i = 1; i < out.size(); ++i) {
    out[i] = out[i] == '_' ? ' ' : absl::ascii_tolower(static_cast<unsigned char>(out[i]));
  }
  return out;
}

std::string FormatCompact(double value) {
  double magnitude = std::fabs(value);
  if (magnitude >= 1e9) return absl::StrFormat("%.2fB", value / 1e9);
  if (magnitude >= 1e6) return absl::StrFormat("%.2fM", value / 1e6);
  if (magnitude >= 1e3) return absl::StrFormat("%.2fk", value / 1e3);
  return absl::StrFormat("%.2f", value);
}

std::string FormatPercent(std::optional<double> fraction) {
  if (!fraction) return "—";
  return absl::StrFormat("%.1f%%", *fraction * 100);
}

std::optional<double> AmountValue(std::string_view decimal) {
  if (!IsDecimal(decimal)) return std::nullopt;
  return std::strtod(std::string(decimal).c_str(), nullptr);
}

}  // namespace riskcap::client
