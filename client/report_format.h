// Text formatting for the HTML dashboard: escaping, exact money with thousands separators,
// compact chart labels and percentages.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace riskcap::client {

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

// An exact decimal string ("-1234567.505") as money: thousands separators and exactly two
// decimals, rounded half away from zero on the decimal digits themselves, never through a
// double ("-1,234,567.51"). "" stays "" (shown as "—" by callers); text that is not a decimal is
// returned unchanged.
std::string FormatAmount(std::string_view decimal);

// An enum name without its prefix as words for people: "RENDA_FIXA" -> "Renda Fixa",
// "ACOES" -> "Ações", "FIDC" -> "FIDC", "OFFSHORE" -> "Offshore", "" -> "".
std::string EnumLabel(std::string_view name);

// A status enum name as a short sentence-case badge text: "RECEIVED_NOT_VALIDATED" ->
// "Not validated", "NEVER_SUBMITTED" -> "Never submitted", "NOT_APPLICABLE" -> "N/A".
std::string StatusLabel(std::string_view name);

// A chart label: 18460000 -> "18.46M", 5300 -> "5.30k", 12 -> "12.00".
std::string FormatCompact(double value);

// A fraction as a percentage with one decimal: 0.4123 -> "41.2%"; absent -> "—".
std::string FormatPercent(std::optional<double> fraction);

// A number as a double for charts; absent for "" or malformed text.
std::optional<double> AmountValue(std::string_view decimal);

}  // namespace riskcap::client
