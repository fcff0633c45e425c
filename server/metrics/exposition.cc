// Prometheus text format 0.0.4: escaping and sample lines.
#include "server/metrics/exposition.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace riskcap::server::metrics {
namespace {

bool IsNameChar(char c, bool first, bool colon_ok) {
  bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (colon_ok && c == ':') return true;
  return letter || (!first && c >= '0' && c <= '9');
}

bool IsValidName(std::string_view name, bool colon_ok) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, colon_ok)) return false;
  }
  return true;
}

}  // namespace

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Integral values within the exactly representable range print as integers.
  constexpr double kExact = 9007199254740992.0;  // 2^53
  if (value == std::trunc(value) && std::fabs(value) <= kExact) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buffer[32];
  // Shortest round-trip digits, fixed unless the exponent is far out: 0.0005, not 5e-04.
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::general);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void AppendSample(std::string& out, std::string_view name, const std::vector<std::string>& labels,
                  const std::vector<std::string>& values, double value, std::string_view extra,
                  std::string_view extra_value) {
  out.append(name);
  bool any = false;
  auto label = [&](std::string_view key, std::string_view v) {
    out.push_back(any ? ',' : '{');
    any = true;
    out.append(key);
    out.append("=\"");
    out.append(EscapeLabelValue(v));
    out.push_back('"');
  };
  for (size_t i = 0; i < labels.size(); ++i) {
    label(labels[i], i < values.size() ? std::string_view(values[i]) : std::string_view());
  }
  if (!extra.empty()) label(extra, extra_value);
  if (any) out.push_back('}');
  out.push_back(' ');
  out.append(FormatValue(value));
  out.push_back('\n');
}

bool IsValidMetricName(std::string_view name) { return IsValidName(name, /*colon_ok=*/true); }

bool IsValidLabelName(std::string_view name) {
  return IsValidName(name, /*colon_ok=*/false) && name.substr(0, 2) != "__";
}

}  // namespace riskcap::server::metrics
