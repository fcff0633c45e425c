// Inline SVG charts of the HTML dashboard.
#include "client/report_svg.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/report_format.h"

namespace riskcap::client {
namespace {

constexpr char kNavy[] = "#0b2265";
constexpr char kLight[] = "#a3a8dc";

std::string Text(double x, double y, const std::string& text, const char* extra = "") {
  return absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" %s>%s</text>", x, y, extra, HtmlEscape(text));
}

struct Series {
  const char* name;
  const char* colour;
  std::optional<double> MonthPoint::*field;
  double label_dy;  // point labels above (negative) or below the line, so lines do not collide
};
constexpr Series kSeries[] = {{"NAV", "#1f8fff", &MonthPoint::nav, -8},
                              {"Margin", "#0b2265", &MonthPoint::margin, 16},
                              {"Offshore exposure", "#e3672a", &MonthPoint::offshore_exposure, -8}};

// A "nice" axis top above `max`: 1, 2 or 5 times a power of ten.
double NiceTop(double max) {
  if (max <= 0) return 1;
  double power = std::pow(10, std::floor(std::log10(max)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * power >= max) return step * power;
  }
  return 10 * power;
}

std::string Polyline(const std::vector<MonthPoint>& points, const Series& s, double x0, double dx,
                     double y0, double height, double top) {
  std::string line, dots;
  for (size_t i = 0; i < points.size(); ++i) {
    const std::optional<double>& v = points[i].*s.field;
    if (!v) continue;
    double x = x0 + dx * i, y = y0 + height - (*v / top) * height;
    absl::StrAppendFormat(&line, "%.1f,%.1f ", x, y);
    absl::StrAppendFormat(&dots, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", x, y,
                          s.colour);
    // A label below a point near the axis would sit on the month labels: put it above.
    const double label_y = y + s.label_dy > y0 + height - 4 ? y - 8 : y + s.label_dy;
    dots += Text(x, label_y, FormatCompact(*v), "class=\"pt\" text-anchor=\"middle\"");
  }
  return absl::StrFormat(
      "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" points=\"%s\"/>%s", s.colour,
      line, dots);
}

}  // namespace

std::string SvgBarChart(const std::vector<std::pair<std::string, int>>& bars) {
  // Each bar gets a slot wide enough for its label (e.g. "MULTIMERCADO"); a chart wider than
  // its panel scales down (max-width) rather than overlapping bars or clipping labels.
  const double height = 240, base = 200, min_slot = 100;
  const double width = std::max(420.0, min_slot * bars.size());
  int max = 1;
  for (const auto& [label, count] : bars) max = std::max(max, count);
  std::string out = absl::StrFormat(
      "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
      "style=\"max-width:100%%;height:auto\" role=\"img\" "
      "aria-label=\"Funds per regulatory class\">",
      width, height, width, height);
  double slot = bars.empty() ? width : width / bars.size();
  const double bar_w = std::min(80.0, slot * 0.7);
  for (size_t i = 0; i < bars.size(); ++i) {
    double h = 160.0 * bars[i].second / max, x = slot * i + (slot - bar_w) / 2;
    absl::StrAppendFormat(&out,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" "
                          "fill=\"%s\"/>",
                          x, base - h, bar_w, h, kNavy);
    out += Text(x + bar_w / 2, base - h - 6, absl::StrCat(bars[i].second),
                "class=\"val\" text-anchor=\"middle\"");
    out += Text(x + bar_w / 2, base + 20, bars[i].first, "class=\"lbl\" text-anchor=\"middle\"");
  }
  return out + "</svg>";
}

std::string SvgDonut(const std::string& label_a, int a, const std::string& label_b, int b) {
  const double r = 70, cx = 100, cy = 100, circumference = 2 * M_PI * r;
  double total = a + b, share_a = total > 0 ? a / total : 0;
  std::string out =
      "<svg class=\"chart\" viewBox=\"0 0 360 200\" width=\"360\" height=\"200\" role=\"img\" "
      "aria-label=\"Exposure split\">";
  absl::StrAppendFormat(&out,
                        "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"%.0f\" fill=\"none\" stroke=\"%s\" "
                        "stroke-width=\"34\"/>",
                        cx, cy, r, total > 0 ? kNavy : "#ddd");
  absl::StrAppendFormat(&out,
                        "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"%.0f\" fill=\"none\" stroke=\"%s\" "
                        "stroke-width=\"34\" stroke-dasharray=\"%.2f %.2f\" "
                        "transform=\"rotate(-90 %.0f %.0f)\"/>",
                        cx, cy, r, kLight, share_a * circumference, circumference, cx, cy);
  out += Text(cx, cy + 6, absl::StrCat(a + b, " funds"), "class=\"val\" text-anchor=\"middle\"");
  auto legend = [&](double y, const char* colour, const std::string& label, int n) {
    absl::StrAppendFormat(&out,
                          "<rect x=\"215\" y=\"%.0f\" width=\"14\" height=\"14\" "
                          "fill=\"%s\"/>",
                          y - 12, colour);
    std::string pct = FormatPercent(total > 0 ? std::optional<double>(n / total) : std::nullopt);
    out += Text(236, y, absl::StrCat(label, ": ", n, " (", pct, ")"), "class=\"lbl\"");
  };
  legend(85, kLight, label_a, a);
  legend(115, kNavy, label_b, b);
  return out + "</svg>";
}

std::string SvgLineChart(const std::vector<MonthPoint>& points, const std::string& currency) {
  const double width = 1120, height = 320, x0 = 90, y0 = 40, plot_w = 990, plot_h = 230;
  double max = 0;
  for (const MonthPoint& p : points) {
    for (const Series& s : kSeries) max = std::max(max, (p.*s.field).value_or(0));
  }
  double top = NiceTop(max);
  std::string out = absl::StrFormat(
      "<svg class=\"chart line\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
      "role=\"img\" aria-label=\"NAV, margin and offshore exposure by month\">",
      width, height, width, height);
  for (int i = 0; i <= 4; ++i) {
    double y = y0 + plot_h - plot_h * i / 4.0;
    absl::StrAppendFormat(&out,
                          "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" "
                          "class=\"grid\"/>",
                          x0, x0 + plot_w, y, y);
    out += Text(x0 - 8, y + 4, FormatCompact(top * i / 4.0), "class=\"lbl\" text-anchor=\"end\"");
  }
  out += Text(20, y0 + plot_h / 2, absl::StrCat("Amount (", currency, ")"),
              absl::StrFormat("class=\"lbl\" text-anchor=\"middle\" transform=\"rotate(-90 20 "
                              "%.0f)\"",
                              y0 + plot_h / 2)
                  .c_str());
  double dx = points.size() > 1 ? plot_w / (points.size() - 1) : 0;
  for (size_t i = 0; i < points.size(); ++i) {
    out += Text(x0 + dx * i, y0 + plot_h + 22, points[i].month,
                "class=\"lbl\" text-anchor=\"middle\"");
  }
  for (size_t i = 0; i < std::size(kSeries); ++i) {
    out += Polyline(points, kSeries[i], x0, dx, y0, plot_h, top);
    double lx = x0 + 200.0 * i;
    absl::StrAppendFormat(&out, "<circle cx=\"%.0f\" cy=\"14\" r=\"6\" fill=\"%s\"/>", lx,
                          kSeries[i].colour);
    out += Text(lx + 12, 19, kSeries[i].name, "class=\"lbl\"");
  }
  return out + "</svg>";
}

std::string SvgCapBar(std::optional<double> utilisation, std::optional<double> cap) {
  const double width = 520, x0 = 10, bar_w = 500;
  double scale = std::max(cap.value_or(0), utilisation.value_or(0)) * 1.25;
  if (scale <= 0) scale = 1;
  auto x_of = [&](double f) { return x0 + bar_w * std::min(f / scale, 1.0); };
  std::string fill = "#2e9e5b";
  if (cap && utilisation && *utilisation > *cap)
    fill = "#c62828";
  else if (cap && utilisation && *utilisation >= 0.8 * *cap)
    fill = "#e6a100";
  std::string out = absl::StrFormat(
      "<svg class=\"chart\" viewBox=\"0 0 %.0f 80\" width=\"%.0f\" height=\"80\" role=\"img\" "
      "aria-label=\"Risk capital utilisation against cap\">"
      "<rect x=\"%.0f\" y=\"20\" width=\"%.0f\" height=\"26\" fill=\"#e8eaf3\"/>",
      width, width, x0, bar_w);
  if (utilisation) {
    absl::StrAppendFormat(&out,
                          "<rect x=\"%.0f\" y=\"20\" width=\"%.1f\" height=\"26\" "
                          "fill=\"%s\"/>",
                          x0, x_of(*utilisation) - x0, fill);
  }
  if (cap) {
    double xc = x_of(*cap), xw = x_of(0.8 * *cap);
    absl::StrAppendFormat(&out,
                          "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"12\" y2=\"54\" "
                          "stroke=\"#c62828\" stroke-width=\"3\"/>"
                          "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"16\" y2=\"50\" "
                          "stroke=\"#e6a100\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>",
                          xc, xc, xw, xw);
    out += Text(xc, 70, absl::StrCat("cap ", FormatPercent(cap)),
                "class=\"lbl\" text-anchor=\"middle\"");
  }
  out += Text(x0, 12, absl::StrCat("utilisation ", FormatPercent(utilisation), " of NAV"),
              "class=\"lbl\"");
  return out + "</svg>";
}

}  // namespace riskcap::client
