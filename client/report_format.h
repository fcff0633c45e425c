// Text formatting for the HTML dashboard: escaping, exact money with thousands separators,
// compact chart labels and percentages.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace riskcap::client {

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

// An exact decimal string ("-1234567.5") with thousands separators and at least two decimals
// ("-1,234,567.50"); digits are copied, never rounded. "" stays "" (shown as "—" by callers);
// text that is not a decimal is returned unchanged.
std::string FormatAmount(std::string_view decimal);

// A chart label: 18460000 -> "18.46M", 5300 -> "5.30k", 12 -> "12.00".
std::string FormatCompact(double value);

// A fraction as a percentage with one decimal: 0.4123 -> "41.2%"; absent -> "—".
std::string FormatPercent(std::optional<double> fraction);

// A number as a double for charts; absent for "" or malformed text.
std::optional<double> AmountValue(std::string_view decimal);

}  // namespace riskcap::client
