// RenderDashboardHtml: the dashboard's three views as one self-contained HTML page.
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/report_data.h"
#include "client/report_format.h"
#include "client/report_svg.h"

namespace riskcap::client {
namespace {

constexpr char kStyle[] = R"css(
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;background:#f4f5f9;color:#1b1f2e}
header{background:#0b2265;color:#fff;padding:16px 32px}header h1{margin:0;font-size:24px}
header p{margin:4px 0 0;font-size:13px;opacity:.85}
section{background:#fff;margin:20px 24px;padding:20px 20px;border-radius:6px;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
h2{color:#0b2265;margin:0 0 14px;font-size:20px}h3{color:#0b2265;font-size:15px;margin:8px 0}
.tiles{display:flex;gap:18px;margin-bottom:18px}
.tile{flex:1;background:#0b2265;color:#fff;border-radius:4px;padding:14px;text-align:center;
outline:2px solid #fff;outline-offset:-8px}
.tile .name{font-size:15px;font-weight:bold}
.tile .num{font-size:40px;font-weight:bold;margin-top:6px}
.tile .sub{font-size:12px;opacity:.85}
.row{display:flex;gap:24px;flex-wrap:wrap}.panel{flex:1;min-width:360px}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th{background:#e8eaf3;color:#0b2265;text-align:left;padding:6px 6px;position:sticky;top:0;
cursor:pointer;
white-space:nowrap;user-select:none}
th.num,td.num{text-align:right}th[data-dir=asc]::after{content:" \25B2"}
th[data-dir=desc]::after{content:" \25BC"}
td{padding:4px 6px;border-bottom:1px solid #eceef4;white-space:nowrap}
td.wrap{white-space:normal;min-width:170px}
td.name{white-space:normal}
tr:nth-child(even) td{background:#fafbfd}
.badge{display:inline-block;padding:2px 7px;border-radius:10px;font-size:11px;font-weight:bold;
white-space:nowrap}
.ok{background:#dff3e6;color:#1d6b3b}.warn{background:#fff1cc;color:#8a5a00}
.bad{background:#fbdada;color:#a11b1b}.na{background:#eceef4;color:#555}
.facts{display:grid;grid-template-columns:repeat(4,1fr);gap:8px 24px;font-size:13px;
margin-bottom:12px}
.facts b{display:block;color:#0b2265;font-size:12px}
svg text{font-family:inherit}svg .lbl{font-size:12px;fill:#333}
svg .val{font-size:14px;font-weight:bold;fill:#333}svg .pt{font-size:10px;fill:#444}
svg .grid{stroke:#dde0ea;stroke-width:1}
.scroll{max-height:440px;overflow:auto}
)css";

// Sorts a table by the clicked header; numbers by data-v when present.
constexpr char kScript[] = R"js(
document.querySelectorAll("table.sortable th").forEach(function(th, col) {
  th.addEventListener("click", function() {
    var table = th.closest("table"), body = table.tBodies[0];
    var dir = th.dataset.dir === "asc" ? "desc" : "asc";
    table.querySelectorAll("th").forEach(function(h) { delete h.dataset.dir; });
    th.dataset.dir = dir;
    var key = function(tr) {
      var td = tr.children[col];
      return td.dataset.v !== undefined ? parseFloat(td.dataset.v) : td.textContent;
    };
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function(a, b) {
      var x = key(a), y = key(b), c = x < y ? -1 : x > y ? 1 : 0;
      return dir === "asc" ? c : -c;
    });
    rows.forEach(function(r) { body.appendChild(r); });
  });
});
)js";

std::string Or(const std::string& s) { return s.empty() ? "—" : HtmlEscape(s); }

// A status as a coloured badge; underscores shown as spaces.
std::string Badge(const std::string& status) {
  std::string css = "na";
  if (status == "ON_TIME" || status == "RECEIVED_VALIDATED" || status == "WITHIN_LIMIT") css = "ok";
  if (status == "RECEIVED_NOT_VALIDATED" || status == "WARNING") css = "warn";
  if (status == "OVERDUE" || status == "NEVER_SUBMITTED" || status == "NOT_RECEIVED" ||
      status == "BREACH" || status == "CRITICAL") {
    css = "bad";
  }
  // Short sentence-case labels: "RECEIVED_NOT_VALIDATED" -> "Not validated".
  std::string text = status.empty() ? "N/A" : status;
  if (absl::StartsWith(text, "RECEIVED_")) text = text.substr(9);
  for (size_t i = 1; i < text.size(); ++i) {
    text[i] = text[i] == '_' ? ' ' : absl::ascii_tolower(static_cast<unsigned char>(text[i]));
  }
  return absl::StrCat("<span class=\"badge ", css, "\">", HtmlEscape(text), "</span>");
}

std::string Tile(const std::string& name, const std::string& value, const std::string& sub) {
  return absl::StrCat("<div class=\"tile\"><div class=\"name\">", HtmlEscape(name),
                      "</div><div class=\"num\">", HtmlEscape(value), "</div><div class=\"sub\">",
                      HtmlEscape(sub), "</div></div>");
}

std::string Overview(const DashboardData& d) {
  const DashboardKpis& k = d.kpis;
  std::optional<double> rate;
  if (k.monitored > 0) rate = static_cast<double>(k.validated) / k.monitored;
  return absl::StrCat(
      "<section id=\"overview\"><h2>Overview</h2><div class=\"tiles\">",
      Tile("Validation rate", FormatPercent(rate), absl::StrCat(k.validated, " validated")),
      Tile("Funds monitored", absl::StrCat(k.monitored), "exposed OTC or offshore"),
      Tile("Received", absl::StrCat(k.received), absl::StrCat(k.overdue, " overdue")),
      Tile("Pending", absl::StrCat(k.pending), "not received"),
      Tile("Limit breaches", absl::StrCat(k.breach), absl::StrCat(k.warning, " in warning")),
      "</div><div class=\"row\"><div class=\"panel\"><h3>Monitored funds per regulatory "
      "class</h3>",
      SvgBarChart(d.funds_per_class),
      "</div><div class=\"panel\"><h3>Exposure split: funds by consolidated exposure</h3>",
      SvgDonut("OTC", k.otc_funds, "Offshore", k.offshore_funds), "</div></div></section>");
}

// Funds without a due date sort after every dated one.
int64_t SortKeyOfDaysToDue(const TrackingRow& r) {
  return r.next_due_date.empty() ? int64_t{1'000'000'000} : int64_t{r.days_to_due};
}

std::string TrackingTable(const std::vector<TrackingRow>& rows) {
  std::string out =
      "<table class=\"sortable\" id=\"tracking-table\"><thead><tr><th>Fund</th><th>Manager</th>"
      "<th>Audience</th><th>Exposure</th><th>Last submission</th>"
      "<th>Next due</th><th class=\"num\">Days to due</th><th>Deadline</th><th>Validation</th>"
      "<th class=\"num\">Utilisation</th><th>Limit</th></tr></thead><tbody>";
  for (const TrackingRow& r : rows) {
    absl::StrAppend(&out, "<tr><td class=\"wrap\">", HtmlEscape(r.fund_name), " <small>#",
                    r.fund_id, "</small></td><td class=\"name\">", HtmlEscape(r.manager_name),
                    "</td><td>", HtmlEscape(r.audience), "</td><td>", HtmlEscape(r.exposure),
                    "</td><td>", Or(r.last_submission_date), "</td><td>", Or(r.next_due_date),
                    "</td><td class=\"num\" "
                    "data-v=\"",
                    SortKeyOfDaysToDue(r), "\">",
                    r.next_due_date.empty() ? "—" : absl::StrCat(r.days_to_due), "</td><td>",
                    Badge(r.deadline_status), "</td><td>", Badge(r.validation_status),
                    "</td><td class=\"num\" data-v=\"", r.utilisation.value_or(-1), "\">",
                    FormatPercent(r.utilisation), "</td><td>", Badge(r.limit_status), "</td></tr>");
  }
  return out + "</tbody></table>";
}

std::string Tracking(const DashboardData& d) {
  return absl::StrCat("<section id=\"tracking\"><h2>Submission tracking</h2>",
                      "<p>Click a column header to sort.</p><div class=\"scroll\">",
                      TrackingTable(d.tracking), "</div></section>");
}

std::string Fact(const std::string& name, const std::string& html_value) {
  return absl::StrCat("<div><b>", HtmlEscape(name), "</b>", html_value, "</div>");
}

std::string PositionsTable(const FundView& f) {
  std::string out = absl::StrCat(
      "<table class=\"sortable\"><thead><tr><th>Date</th><th>Asset</th><th>ISIN</th>"
      "<th>Description</th><th class=\"num\">Notional (",
      HtmlEscape(f.currency), ")</th><th class=\"num\">Market value (", HtmlEscape(f.currency),
      ")</th><th>Classification</th></tr></thead><tbody>");
  for (const PositionRow& p : f.positions) {
    absl::StrAppend(
        &out, "<tr><td>", HtmlEscape(p.position_date), "</td><td>", HtmlEscape(p.asset_nickname),
        "</td><td>", Or(p.isin), "</td><td>", Or(p.description), "</td><td class=\"num\" data-v=\"",
        AmountValue(p.notional).value_or(0), "\">", Or(FormatAmount(p.notional)),
        "</td><td class=\"num\" data-v=\"", AmountValue(p.market_value).value_or(0), "\">",
        Or(FormatAmount(p.market_value)), "</td><td>", HtmlEscape(p.classification), "</td></tr>");
  }
  return out + "</tbody></table>";
}

std::string FundSection(const FundView& f) {
  std::string money_unit = absl::StrCat(" ", HtmlEscape(f.currency));
  return absl::StrCat(
      "<section class=\"fund\" id=\"fund-", f.fund_id,
      "\"><h2>Fund view: ", HtmlEscape(f.fund_name), " <small>#", f.fund_id,
      "</small></h2><div class=\"facts\">", Fact("Manager", Or(f.manager_name)),
      Fact("Regulatory class", Or(f.regulatory_class)), Fact("Target audience", Or(f.audience)),
      Fact("Exposure", Or(f.exposure)), Fact("Deadline", Badge(f.deadline_status)),
      Fact("Validation", Badge(f.validation_status)),
      Fact("Last submission", Or(f.last_submission_date)), Fact("Next due", Or(f.next_due_date)),
      Fact("NAV", Or(FormatAmount(f.nav)) + (f.nav.empty() ? "" : money_unit)),
      Fact("Gross margin",
           Or(FormatAmount(f.gross_margin)) + (f.gross_margin.empty() ? "" : money_unit)),
      Fact("Limit status", Badge(f.limit_status)), Fact("Methodology", Or(f.methodology)),
      "</div><h3>NAV, margin and offshore exposure, last 12 months (", HtmlEscape(f.currency),
      ")</h3>", SvgLineChart(f.history, f.currency),
      "<h3>Risk capital utilisation against its cap (CVM 175)</h3>",
      SvgCapBar(f.utilisation, f.cap), "<h3>Positions (", f.positions.size(), ")</h3>",
      "<div class=\"scroll\">", PositionsTable(f), "</div></section>");
}

}  // namespace

std::string RenderDashboardHtml(const DashboardData& data) {
  std::string funds;
  for (const FundView& f : data.funds) funds += FundSection(f);
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=1280\"><title>riskcap dashboard ",
      HtmlEscape(data.status_date), "</title><style>", kStyle,
      "</style></head><body><header>"
      "<h1>riskcap — risk capital monitoring</h1><p>Status of ",
      HtmlEscape(data.status_date), " (version ", data.status_version, ") · generated ",
      HtmlEscape(data.generated_at), "</p></header>", Overview(data), Tracking(data), funds,
      "<script>", kScript, "</script></body></html>\n");
}

}  // namespace riskcap::client
