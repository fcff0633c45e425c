// How table text shows figures to people: fractions of NAV as percentages ("68.31%") and money
// with thousands separators and 2 decimals ("1,234,567.89"). Only the aligned text output uses
// it; JSON and CSV keep the exact values (fractions as numbers, money as the server's decimal
// strings). Which columns hold what is decided by name (docs/cli.md, "Output").
#pragma once

#include <string>
#include <string_view>

#include "client/output.h"

namespace riskcap::client {

enum class ColumnKind { kPlain, kMoney, kPercent };

// The kind of a column by its name, e.g. "risk_capital_utilisation" kPercent, "local_margin"
// kMoney.
ColumnKind ColumnKindOf(std::string_view column);

// "1,234,567.89" for "1234567.885"; "-0.50" for "-0.5". Rounds half away from zero to cents.
// Text that is not a plain decimal number is returned unchanged.
std::string GroupedMoney(std::string_view decimal);

// "68.31%" for 0.68306.
std::string Percent(double fraction);

// The text of `cell` in column `column` for people: CellText(cell, true) unless the column's
// kind and the cell's type say money or percentage.
std::string PeopleText(std::string_view column, const Json& cell);

}  // namespace riskcap::client
