// Inline SVG charts of the HTML dashboard.
#include "client/report_svg.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/report_format.h"

namespace riskcap::client {
namespace {

struct AxisScale {
  double top, step;
};

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

// An axis from 0 past `max` in steps of 1, 2, 2.5 or 5 times a power of ten, at most 8 steps.
AxisScale NiceAxis(double max) {
  if (!(max > 0)) return {1, 0.25};
  double power = std::pow(10, std::floor(std::log10(max / 8)));
  double step = 10 * power;
  for (double m : {1.0, 2.0, 2.5, 5.0}) {
    if (m * power * 8 >= max) {
      step = m * power;
      break;
    }
  }
  return {std::ceil(max / step - 1e-9) * step, step};
}

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

std::string SvgCapBar(std::optional<double> utilisation, std::optional<double> cap,
                      double warning_fraction) {
  const double width = 760, x0 = 24, plot_w = 700, bar_y = 34, bar_h = 24;
  std::string out = absl::StrFormat(
      "<svg class=\"chart capbar\" viewBox=\"0 0 %.0f 104\" width=\"%.0f\" height=\"104\" "
      "role=\"img\" aria-label=\"Risk capital utilisation against its cap\">",
      width, width);
  if (!utilisation) {
    out += Text(x0, 50, "Utilisation: not available (no NAV, or NAV ≤ 0)", "class=\"lbl\"");
    return out + "</svg>";
  }
  const double warning = cap.value_or(0) * warning_fraction;
  const AxisScale axis = NiceAxis(std::max(*utilisation, cap.value_or(0)) * 1.08);
  auto x_of = [&](double f) { return x0 + plot_w * std::clamp(f / axis.top, 0.0, 1.0); };
  std::string fill = "#9aa0b4";  // no cap: drawn, but not judged
  if (cap) {
    fill = *utilisation > *cap ? "#c62828" : *utilisation >= warning ? "#e6a100" : "#2e9e5b";
  }
  absl::StrAppendFormat(&out,
                        "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" "
                        "fill=\"#eef0f6\"/><rect class=\"util\" x=\"%.0f\" y=\"%.0f\" "
                        "width=\"%.1f\" height=\"%.0f\" fill=\"%s\"/>",
                        x0, bar_y, plot_w, bar_h, x0, bar_y, x_of(*utilisation) - x0, bar_h, fill);
  out += Text(std::min(x_of(*utilisation) + 6, x0 + plot_w - 40), bar_y + 17,
              FormatPercent(utilisation), "class=\"val\"");
  for (double tick = 0; tick <= axis.top + axis.step / 2; tick += axis.step) {
    double x = x_of(tick);
    absl::StrAppendFormat(&out,
                          "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" "
                          "stroke=\"#7a8099\"/>",
                          x, x, bar_y + bar_h + 2, bar_y + bar_h + 8);
    out += Text(x, bar_y + bar_h + 22, FormatPercent(tick),
                "class=\"lbl tick\" "
                "text-anchor=\"middle\"");
  }
  absl::StrAppendFormat(&out,
                        "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" "
                        "stroke=\"#7a8099\"/>",
                        x0, x0 + plot_w, bar_y + bar_h + 2, bar_y + bar_h + 2);
  if (!cap) {
    out += Text(x0, 18,
                absl::StrCat("Utilisation ", FormatPercent(utilisation),
                             " of NAV · cap: not applicable (no cap for this class)"),
                "class=\"lbl\"");
    return out + "</svg>";
  }
  const double xc = x_of(*cap), xw = x_of(warning);
  absl::StrAppendFormat(&out,
                        "<line class=\"cap\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" "
                        "stroke=\"#c62828\" stroke-width=\"3\"/>"
                        "<line class=\"warn\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" "
                        "stroke=\"#b07800\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>",
                        xc, xc, bar_y - 6, bar_y + bar_h + 6, xw, xw, bar_y - 4, bar_y + bar_h + 4);
  // The legend names both markers, so neither line is left to guess.
  absl::StrAppendFormat(&out,
                        "<rect x=\"%.0f\" y=\"6\" width=\"14\" height=\"12\" fill=\"%s\"/>"
                        "<line x1=\"230\" x2=\"230\" y1=\"4\" y2=\"20\" stroke=\"#c62828\" "
                        "stroke-width=\"3\"/><line x1=\"380\" x2=\"380\" y1=\"4\" y2=\"20\" "
                        "stroke=\"#b07800\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>",
                        x0, fill);
  out += Text(x0 + 20, 17, absl::StrCat("utilisation ", FormatPercent(utilisation), " of NAV"),
              "class=\"lbl\"");
  out += Text(238, 17, absl::StrCat("cap ", FormatPercent(cap)), "class=\"lbl\"");
  out += Text(388, 17,
              absl::StrCat("warning level ", FormatPercent(warning), " (",
                           FormatPercent(warning_fraction), " of the cap)"),
              "class=\"lbl\"");
  return out + "</svg>";
}

}  // namespace riskcap::client
