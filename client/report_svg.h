// Inline SVG charts of the HTML dashboard. Each returns one <svg> element; text is escaped.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/report_data.h"

namespace riskcap::client {

// Vertical bars with their counts on top and labels below (funds per regulatory class).
std::string SvgBarChart(const std::vector<std::pair<std::string, int>>& bars);

// A donut of two shares with a legend: counts and percentages (OTC vs offshore funds).
std::string SvgDonut(const std::string& label_a, int a, const std::string& label_b, int b);

// NAV, margin and offshore exposure per month as three lines, with a value axis in `currency`
// (compact units), month labels and a legend.
std::string SvgLineChart(const std::vector<MonthPoint>& points, const std::string& currency);

// Utilisation as a horizontal bar against the cap (marked, with the 80% warning level); a
// scale of 0..max(cap, utilisation) * 1.25.
std::string SvgCapBar(std::optional<double> utilisation, std::optional<double> cap);

}  // namespace riskcap::client
