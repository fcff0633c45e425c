// RenderDashboardHtml: the dashboard as one self-contained HTML page. The filters, tiles,
// overview charts and submission table are drawn by the page's script from the embedded rows
// (report_json.cc, report_script.cc); the fund views are drawn here.
#include <string>

#include "absl/strings/str_cat.h"
#include "client/report_data.h"
#include "client/report_format.h"
#include "client/report_json.h"
#include "client/report_script.h"
#include "client/report_svg.h"

namespace riskcap::client {
namespace {

// The server's default warning level; the API does not report a configured one.
constexpr double kWarningFraction = 0.8;

constexpr char kStyle[] = R"css(
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;background:#f4f5f9;color:#1b1f2e}
header{background:#0b2265;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;font-size:13px;opacity:.85}
section{background:#fff;margin:14px 12px;padding:14px;border-radius:6px;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
h2{color:#0b2265;margin:0 0 12px;font-size:19px}h3{color:#0b2265;font-size:15px;margin:8px 0}
#filters{position:sticky;top:0;z-index:3;margin-top:0;border-radius:0 0 6px 6px}
.filters{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:8px 16px;
align-items:end}
.filters label{display:flex;flex-direction:column;font-size:12px;font-weight:bold;color:#0b2265}
.filters select,.filters input{margin-top:3px;font:inherit;font-size:13px;font-weight:normal;
padding:4px 6px;border:1px solid #b8bdd3;border-radius:4px;background:#fff;min-width:0}
.filters .actions{display:flex;gap:12px;align-items:center;font-size:13px}
.filters button{font:inherit;font-size:13px;padding:5px 12px;border:1px solid #0b2265;
border-radius:4px;background:#0b2265;color:#fff;cursor:pointer}
.tiles{display:flex;gap:16px;margin-bottom:16px}
.tile{flex:1;background:#0b2265;color:#fff;border-radius:4px;padding:12px;text-align:center;
outline:2px solid #fff;outline-offset:-7px}
.tile .name{font-size:14px;font-weight:bold}
.tile .num{font-size:36px;font-weight:bold;margin-top:4px}
.tile .sub{font-size:12px;opacity:.85}
.row{display:flex;gap:20px;flex-wrap:wrap}.panel{flex:1;min-width:340px}
.panel.wide{flex-basis:100%}
.note{font-size:12.5px;color:#4a5068;margin:4px 0}
table{border-collapse:collapse;width:100%;font-size:12px}
th{background:#e8eaf3;color:#0b2265;text-align:left;padding:6px 4px;position:sticky;
top:var(--sticky-top,0);cursor:pointer;white-space:nowrap;user-select:none;z-index:1}
th.num,td.num{text-align:right}th[data-dir=asc]::after{content:" \25B2"}
th[data-dir=desc]::after{content:" \25BC"}
td{padding:4px 4px;border-bottom:1px solid #eceef4;white-space:nowrap;vertical-align:top}
td.fund{white-space:normal;min-width:140px;max-width:220px}
td.manager{white-space:normal;min-width:160px;max-width:220px}
td small{color:#69708a}td a{color:#0b2265}
tr:nth-child(even) td{background:#fafbfd}
.badge{display:inline-block;padding:2px 7px;border-radius:10px;font-size:11px;font-weight:bold;
white-space:nowrap}
.ok{background:#dff3e6;color:#1d6b3b}.warn{background:#fff1cc;color:#8a5a00}
.bad{background:#fbdada;color:#a11b1b}.na{background:#eceef4;color:#555}
.facts{display:grid;grid-template-columns:repeat(4,1fr);gap:8px 24px;font-size:13px;
margin-bottom:12px}
.facts b{display:block;color:#0b2265;font-size:12px}
svg text{font-family:inherit}svg .lbl{font-size:12px;fill:#333}
svg .val{font-size:13px;font-weight:bold;fill:#333}svg .pt{font-size:10px;fill:#444}
svg .grid{stroke:#dde0ea;stroke-width:1}
svg.chart{max-width:100%;height:auto}
.scroll{max-height:480px;overflow:auto}.scroll th{top:0}
)css";

std::string Or(const std::string& s) { return s.empty() ? "—" : HtmlEscape(s); }

// A status as a coloured badge with its short label.
std::string Badge(const std::string& status) {
  std::string css = "na";
  if (status == "ON_TIME" || status == "RECEIVED_VALIDATED" || status == "WITHIN_LIMIT") css = "ok";
  if (status == "RECEIVED_NOT_VALIDATED" || status == "WARNING") css = "warn";
  if (status == "OVERDUE" || status == "NEVER_SUBMITTED" || status == "NOT_RECEIVED" ||
      status == "BREACH" || status == "CRITICAL") {
    css = "bad";
  }
  return absl::StrCat("<span class=\"badge ", css, "\">", HtmlEscape(StatusLabel(status)),
                      "</span>");
}

std::string Select(const std::string& id, const std::string& label) {
  return absl::StrCat("<label>", label, "<select id=\"f-", id, "\" data-filter=\"", id,
                      "\"><option value=\"\">All</option></select></label>");
}

std::string Filters() {
  return absl::StrCat(
      "<section id=\"filters\"><div class=\"filters\">", Select("cls", "Regulatory class"),
      Select("exp", "Exposure"), Select("deadline", "Deadline status"),
      Select("validation", "Validation status"), Select("limit", "Limit status"),
      Select("manager", "Manager"),
      "<label>Fund (name or id)<input id=\"f-search\" type=\"search\" "
      "placeholder=\"Search funds\"></label><div class=\"actions\"><button id=\"f-clear\" "
      "type=\"button\">Clear filters</button><span id=\"shown\"></span></div></div></section>");
}

std::string Overview() {
  return "<section id=\"overview\"><h2>Overview</h2><div class=\"tiles\" id=\"tiles\"></div>"
         "<div class=\"row\"><div class=\"panel\"><h3>Monitored funds per regulatory class</h3>"
         "<div id=\"chart-class\"></div></div><div class=\"panel\"><h3>Funds by consolidated "
         "exposure</h3><div id=\"chart-exposure\"></div></div><div class=\"panel wide\">"
         "<h3>Highest utilisations against their caps</h3><div id=\"chart-util\"></div></div>"
         "</div></section>";
}

std::string Tracking() {
  return "<section id=\"tracking\"><h2>Submission tracking</h2><p class=\"note\">Every "
         "monitored fund of the filters; click a column header to sort.</p>"
         "<table id=\"tracking-table\"><thead></thead><tbody></tbody></table></section>";
}

std::string Fact(const std::string& name, const std::string& html_value) {
  return absl::StrCat("<div><b>", HtmlEscape(name), "</b>", html_value, "</div>");
}

std::string Money(const std::string& amount, const std::string& currency) {
  return amount.empty() ? "—" : absl::StrCat(FormatAmount(amount), " ", HtmlEscape(currency));
}

std::string PositionsTable(const FundView& f) {
  std::string out = absl::StrCat(
      "<table class=\"sortable\"><thead><tr><th>Date</th><th>Asset</th><th>ISIN</th>"
      "<th>Description</th><th class=\"num\">Notional (",
      HtmlEscape(f.currency), ")</th><th class=\"num\">Market value (", HtmlEscape(f.currency),
      ")</th><th>Classification</th></tr></thead><tbody>");
  for (const PositionRow& p : f.positions) {
    absl::StrAppend(&out, "<tr><td>", HtmlEscape(p.position_date), "</td><td>",
                    HtmlEscape(p.asset_nickname), "</td><td>", Or(p.isin), "</td><td>",
                    Or(p.description), "</td><td class=\"num\" data-v=\"", HtmlEscape(p.notional),
                    "\">", Or(FormatAmount(p.notional)), "</td><td class=\"num\" data-v=\"",
                    HtmlEscape(p.market_value), "\">", Or(FormatAmount(p.market_value)),
                    "</td><td>", HtmlEscape(EnumLabel(p.classification)), "</td></tr>");
  }
  return out + "</tbody></table>";
}

// NAV change over the chart's first and last month with a NAV.
std::string NavChange(const std::vector<MonthPoint>& history) {
  std::optional<double> first, last;
  int months = 0;
  for (const MonthPoint& p : history) {
    if (!p.nav) continue;
    if (!first) first = p.nav;
    last = p.nav;
    ++months;
  }
  if (months < 2 || *first <= 0) return "—";  // one month is no change
  return FormatPercent(*last / *first - 1);
}

std::string FundFacts(const FundView& f) {
  return absl::StrCat(
      Fact("Manager", Or(f.manager_name)),
      Fact("Regulatory class", Or(EnumLabel(f.regulatory_class))),
      Fact("Target audience", Or(EnumLabel(f.audience))),
      Fact("Exposure", Or(EnumLabel(f.exposure))), Fact("Deadline", Badge(f.deadline_status)),
      Fact("Validation", Badge(f.validation_status)),
      Fact("Last submission", Or(f.last_submission_date)),
      Fact("Validated on", Or(f.validation_date)), Fact("Next due", Or(f.next_due_date)),
      Fact("NAV", Money(f.nav, f.currency)),
      Fact("Gross margin", Money(f.gross_margin, f.currency)),
      Fact("NAV change over the chart", NavChange(f.history)),
      Fact("Utilisation", FormatPercent(f.utilisation)),
      Fact("Cap", f.cap ? FormatPercent(f.cap) : "not applicable"),
      Fact("Limit status", Badge(f.limit_status)), Fact("Methodology", Or(f.methodology)));
}

std::string FundSection(const FundView& f) {
  return absl::StrCat("<section class=\"fund\" id=\"fund-", f.fund_id, "\" data-fund=\"", f.fund_id,
                      "\"><h2>Fund view: ", HtmlEscape(f.fund_name), " <small>#", f.fund_id,
                      "</small></h2><div class=\"facts\">", FundFacts(f),
                      "</div><h3>NAV, margin and offshore exposure, last 12 months (",
                      HtmlEscape(f.currency), ")</h3>", SvgLineChart(f.history, f.currency),
                      "<h3>Risk capital utilisation (gross margin / NAV) against its cap</h3>",
                      SvgCapBar(f.utilisation, f.cap, kWarningFraction), "<h3>Positions (",
                      f.positions.size(), ")</h3><div class=\"scroll\">", PositionsTable(f),
                      "</div></section>");
}

}  // namespace

std::string RenderDashboardHtml(const DashboardData& data) {
  std::string funds;
  for (const FundView& f : data.funds) funds += FundSection(f);
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\"><title>riskcap dashboard ",
      HtmlEscape(data.status_date), "</title><style>", kStyle,
      "</style></head><body><header><h1>riskcap — risk capital monitoring</h1><p>Status of ",
      HtmlEscape(data.status_date), " (version ", data.status_version, ") · generated ",
      HtmlEscape(data.generated_at), "</p></header>", Filters(), Overview(), Tracking(), funds,
      "<script type=\"application/json\" id=\"dashboard-data\">", DashboardJson(data),
      "</script><script>", kDashboardScript, "</script></body></html>\n");
}

}  // namespace riskcap::client
