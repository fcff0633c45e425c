// Inline SVG charts of the HTML dashboard. Each returns one <svg> element; text is escaped.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/report_data.h"

namespace riskcap::client {

// NAV, margin and offshore exposure per month as three lines, with a value axis in `currency`
// (compact units), month labels and a legend.
std::string SvgLineChart(const std::vector<MonthPoint>& points, const std::string& currency);

// Utilisation as a horizontal bar on a percentage axis with ticks, the cap (solid) and the
// warning level (dashed, `warning_fraction` of the cap) marked and named in a legend. Without a
// cap the bar is grey and the cap "not applicable"; without a utilisation, a sentence says so.
std::string SvgCapBar(std::optional<double> utilisation, std::optional<double> cap,
                      double warning_fraction);

}  // namespace riskcap::client
