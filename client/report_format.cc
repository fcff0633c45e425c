// Text formatting for the HTML dashboard.
#include "client/report_format.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/ascii.h"
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

}  // namespace

std::string FormatAmount(std::string_view decimal) {
  if (!IsDecimal(decimal)) return std::string(decimal);
  std::string sign;
  if (decimal[0] == '-') {
    sign = "-";
    decimal.remove_prefix(1);
  }
  size_t dot = decimal.find('.');
  std::string_view whole = decimal.substr(0, dot);
  std::string frac = dot == std::string_view::npos ? "" : std::string(decimal.substr(dot + 1));
  while (frac.size() < 2) frac += '0';
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  return sign + grouped + "." + frac;
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
