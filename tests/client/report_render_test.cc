// The HTML dashboard rendered by the real browser (Debian's headless Chromium): the page's
// script finishes with no console message, tiles, charts and table follow the filters, tables
// sort on exact values, and the table fits windows of 1280 and 1920 px.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/report_data.h"
#include "client/report_format.h"
#include "client/report_svg.h"
#include "gtest/gtest.h"
#include "tests/client/browser.h"

namespace riskcap::client {
namespace {

namespace fs = std::filesystem;
using browser_testing::ArtefactDir;
using browser_testing::Browse;
using browser_testing::BrowserRun;
using browser_testing::ConsoleLines;
using browser_testing::DomText;
constexpr const char* kClasses[] = {"MULTIMERCADO", "ACOES", "RENDA_FIXA", "FIDC"};
constexpr const char* kDeadline[] = {"ON_TIME", "OVERDUE", "NEVER_SUBMITTED", "ON_TIME"};
constexpr const char* kValidation[] = {"RECEIVED_VALIDATED", "RECEIVED_NOT_VALIDATED",
                                       "NOT_RECEIVED", "RECEIVED_VALIDATED"};

// A deterministic dataset: `n` monitored funds with varied statuses, one fund view with 12
// months of history and positions. Text includes HTML metacharacters.
DashboardData Fixture(int n) {
  DashboardData d;
  d.status_date = "2026-11-24";
  d.status_version = 2;
  d.generated_at = "2026-11-24T18:00:00Z";
  for (int i = 0; i < n; ++i) {
    TrackingRow r;
    r.fund_id = 101 + i;
    r.fund_name = i == 0 ? "Alpha <Macro> & \"Co\" FIM" : absl::StrCat("Fund ", 101 + i, " FIM");
    r.manager_name = absl::StrCat("Gestora ", i % 4, " Administradora de Recursos LTDA.");
    r.regulatory_class = kClasses[(i * 7) % 4];
    r.audience = i % 2 ? "QUALIFIED" : "PROFESSIONAL";
    r.exposure = i % 3 ? "OFFSHORE" : "OTC";
    r.deadline_status = kDeadline[i % 4];
    r.validation_status = kValidation[i % 4];
    r.days_to_due = ((i * 37) % 61) - 20;
    if (i % 4 != 2) r.last_submission_date = absl::StrFormat("2026-10-%02d", 1 + i % 28);
    if (i % 4 != 2) r.next_due_date = absl::StrFormat("2026-12-%02d", 1 + i % 28);
    r.limit_status = i == 10 ? "CRITICAL"  // NAV <= 0
                     : i % 5 == 0 ? "BREACH"
                     : i % 5 == 1 ? "WARNING"
                                  : "WITHIN_LIMIT";
    r.utilisation = 0.05 * (i % 16);
    if (r.regulatory_class == "MULTIMERCADO") r.cap = 0.7;
    if (r.regulatory_class == "ACOES") r.cap = 0.4;
    if (r.regulatory_class == "RENDA_FIXA") r.cap = 0.2;  // FIDC: no cap
    if (i % 4 == 0) r.validation_date = absl::StrFormat("2026-11-%02d", 1 + i % 28);
    d.tracking.push_back(r);
  }
  FundView f;
  const TrackingRow& first = d.tracking[0];
  f.fund_id = first.fund_id;
  f.fund_name = first.fund_name;
  f.manager_name = first.manager_name;
  f.regulatory_class = first.regulatory_class;
  f.audience = first.audience;
  f.exposure = first.exposure;
  f.deadline_status = first.deadline_status;
  f.validation_status = first.validation_status;
  f.methodology = "VaR 99% 1d & stress <tests>";
  f.nav = "18712345.5";
  f.gross_margin = "9543296.805001";
  f.utilisation = 0.51;
  f.cap = 0.7;
  f.limit_status = "WITHIN_LIMIT";
  for (int m = 0; m < 12; ++m) {
    MonthPoint p;
    p.month = absl::StrFormat("%04d-%02d", m == 0 ? 2025 : 2026, m == 0 ? 12 : m);
    p.nav = 18.2e6 + 41000.0 * ((m * 5) % 11);
    if (m >= 3) p.margin = 5.2e6 + 30000.0 * m;
    p.offshore_exposure = 5.3e6 + 25000.0 * ((m * 3) % 7);
    f.history.push_back(p);
  }
  for (int i = 0; i < 8; ++i) {
    f.positions.push_back({"2026-11-24", absl::StrCat("ASSET ", i), i % 2 ? "BRXYZ1234567" : "",
                           "Cotas de fundo", i % 3 ? "OFFSHORE_FUND" : "OTC_SWAP",
                           absl::StrCat(i * 1234567, ".5"), absl::StrCat("-", i * 98765, ".25")});
  }
  d.funds.push_back(f);
  return d;
}

// Runs `probe` (JavaScript) after the page's own script and returns the DOM; the probe stores
// what it measured in <body data-...> attributes.
BrowserRun BrowseWithProbe(const DashboardData& data, const std::string& name,
                           const std::string& probe, int width = 1280) {
  std::string html = RenderDashboardHtml(data);
  html.replace(html.rfind("</body>"), 7, absl::StrCat("<script>", probe, "</script></body>"));
  return Browse(html, name, "", width);
}

std::string Attribute(const std::string& dom, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(dom, m, std::regex(absl::StrCat("data-", name, "=\"([^\"]*)\"")))) {
    return "<missing>";
  }
  return m[1];
}

int CountRows(const DashboardData& d, const std::string& cls) {
  return std::count_if(d.tracking.begin(), d.tracking.end(),
                       [&](const TrackingRow& r) { return r.regulatory_class == cls; });
}

TEST(ReportRender, ConsoleCaptureCatchesPageErrors) {
  BrowserRun run = Browse("<html><body><script>throw new Error('boom')</script></body></html>",
                          "console-probe.html");
  std::vector<std::string> lines = ConsoleLines(run.log);
  ASSERT_EQ(lines.size(), 1u) << run.log;
  EXPECT_NE(lines[0].find("Uncaught Error: boom"), std::string::npos);
}

TEST(ReportRender, ScriptDrawsTilesChartsAndTableFromTheRowsWithNoConsoleErrors) {
  DashboardData data = Fixture(24);
  BrowserRun run = Browse(RenderDashboardHtml(data), "dashboard.html");
  EXPECT_TRUE(ConsoleLines(run.log).empty()) << run.log;
  const std::string& dom = run.dom;
  EXPECT_EQ(Attribute(dom, "status"), "ready") << "the page script did not finish";
  EXPECT_EQ(Attribute(dom, "rows"), "24");
  for (const char* id : {"id=\"overview\"", "id=\"tracking\"", "id=\"fund-101\""}) {
    EXPECT_NE(dom.find(id), std::string::npos) << id;
  }
  int validated = 0, pending = 0, breach = 0, critical = 0, warning = 0;
  for (const TrackingRow& r : data.tracking) {
    validated += r.validation_status == "RECEIVED_VALIDATED";
    pending += r.validation_status == "NOT_RECEIVED";
    breach += r.limit_status == "BREACH";
    critical += r.limit_status == "CRITICAL";
    warning += r.limit_status == "WARNING";
  }
  ASSERT_GT(critical, 0) << "the fixture has a NAV <= 0 fund";
  auto tile = [](const std::string& name, const std::string& value) {
    return absl::StrCat("<div class=\"name\">", name, "</div><div class=\"num\">", value, "</div>");
  };
  EXPECT_NE(dom.find(tile("Validation rate", FormatPercent(validated / 24.0))), std::string::npos);
  EXPECT_NE(dom.find(tile("Funds monitored", "24")), std::string::npos);
  EXPECT_NE(dom.find(tile("Pending", absl::StrCat(pending))), std::string::npos);
  // Breaches as `riskcap status --summary` counts them (breach_count): CRITICAL apart.
  EXPECT_NE(dom.find(absl::StrCat(tile("Limit breaches", absl::StrCat(breach)),
                                  "<div class=\"sub\">", critical, " critical (NAV &lt;= 0), ",
                                  warning, " in warning</div>")),
            std::string::npos);
  // Classes as words in the chart, the table and the filter; never the enum codes as text.
  for (auto [code, words] : {std::pair("RENDA_FIXA", "Renda Fixa"), std::pair("ACOES", "Ações"),
                             std::pair("MULTIMERCADO", "Multimercado")}) {
    EXPECT_NE(dom.find(absl::StrCat(">", CountRows(data, code), "</text>")), std::string::npos);
    EXPECT_NE(dom.find(absl::StrCat(">", words, "</text>")), std::string::npos) << words;
    EXPECT_NE(dom.find(absl::StrCat("<td>", words, "</td>")), std::string::npos) << words;
    EXPECT_EQ(dom.find(absl::StrCat(">", code, "<")), std::string::npos) << code;
  }
  // Every fund in the table with its manager and validation date; text escaped, never markup.
  for (const TrackingRow& r : data.tracking) {
    const bool linked = dom.find(absl::StrCat(DomText(r.fund_name), "</a> <small>#", r.fund_id)) !=
                        std::string::npos;
    const bool plain =
        dom.find(absl::StrCat(DomText(r.fund_name), " <small>#", r.fund_id)) != std::string::npos;
    EXPECT_TRUE(r.fund_id == 101 ? linked : plain) << r.fund_name;
    if (!r.validation_date.empty()) {
      EXPECT_NE(dom.find(absl::StrCat("<td>", r.validation_date, "</td>")), std::string::npos);
    }
  }
  EXPECT_EQ(dom.find("<Macro>"), std::string::npos);
  EXPECT_NE(dom.find("Alpha &lt;Macro&gt; &amp;"), std::string::npos);
  // The fund view: money with exactly two decimals, the cap and warning named, the 12 months.
  EXPECT_NE(dom.find("18,712,345.50 BRL"), std::string::npos);
  EXPECT_NE(dom.find("9,543,296.81 BRL"), std::string::npos);
  EXPECT_NE(dom.find("cap 70.0%"), std::string::npos);
  EXPECT_NE(dom.find("warning level 56.0% (80.0% of the cap)"), std::string::npos);
  EXPECT_NE(dom.find("utilisation 51.0% of NAV"), std::string::npos);
  for (const MonthPoint& p : data.funds[0].history) {
    EXPECT_NE(dom.find(absl::StrCat(">", p.month, "</text>")), std::string::npos) << p.month;
  }
  for (const PositionRow& p : data.funds[0].positions) {
    EXPECT_NE(dom.find(absl::StrCat(">", FormatAmount(p.market_value), "</td>")), std::string::npos)
        << p.market_value;
  }
}

// Each filter narrows tiles, class chart, table and fund views together; clearing restores all.
TEST(ReportRender, FiltersUpdateTilesChartsTableAndFundViewsTogether) {
  DashboardData data = Fixture(24);
  const std::string probe = R"js(
    function set(id, value) {
      var e = document.getElementById(id);
      e.value = value;
      e.dispatchEvent(new Event(id === "f-search" ? "input" : "change"));
    }
    function take(name) {
      document.body.dataset[name + "Rows"] =
          document.querySelectorAll("#tracking-table tbody tr").length;
      document.body.dataset[name + "Tile"] =
          document.querySelectorAll("#tiles .num")[1].textContent;
      document.body.dataset[name + "Bars"] = document.querySelectorAll("#chart-class rect").length;
      document.body.dataset[name + "View"] = document.getElementById("fund-101").hidden;
    }
    set("f-cls", "ACOES"); take("acoes");
    set("f-limit", "BREACH"); take("acoesbreach");
    document.getElementById("f-clear").click(); take("cleared");
    set("f-search", "alpha"); take("search");
    set("f-search", ""); set("f-manager", "Gestora 1 Administradora de Recursos LTDA.");
    take("manager");
  )js";
  BrowserRun run = BrowseWithProbe(data, "dashboard-filters.html", probe);
  EXPECT_TRUE(ConsoleLines(run.log).empty()) << run.log;
  const std::string& dom = run.dom;
  int acoes = CountRows(data, "ACOES"), acoes_breach = 0, manager1 = 0;
  for (const TrackingRow& r : data.tracking) {
    acoes_breach += r.regulatory_class == "ACOES" && r.limit_status == "BREACH";
    manager1 += r.manager_name == "Gestora 1 Administradora de Recursos LTDA.";
  }
  ASSERT_GT(acoes, 0);
  ASSERT_LT(acoes, 24);
  EXPECT_EQ(Attribute(dom, "acoes-rows"), absl::StrCat(acoes));
  EXPECT_EQ(Attribute(dom, "acoes-tile"), absl::StrCat(acoes));
  EXPECT_EQ(Attribute(dom, "acoes-bars"), "1");
  EXPECT_EQ(Attribute(dom, "acoes-view"), "true") << "fund 101 is MULTIMERCADO: view hidden";
  EXPECT_EQ(Attribute(dom, "acoesbreach-rows"), absl::StrCat(acoes_breach));
  EXPECT_EQ(Attribute(dom, "cleared-rows"), "24");
  EXPECT_EQ(Attribute(dom, "cleared-bars"), "4");
  EXPECT_EQ(Attribute(dom, "cleared-view"), "false");
  EXPECT_EQ(Attribute(dom, "search-rows"), "1");
  EXPECT_EQ(Attribute(dom, "manager-rows"), absl::StrCat(manager1));
}

// Utilisations 1e-12 apart (the same under %g) and days to due sort exactly; a fund without a
// cap shows "n/a" and is never drawn among the highest utilisations, however high.
TEST(ReportRender, SortIsExactAndFundsWithoutACapAreNotApplicable) {
  DashboardData data = Fixture(12);
  for (size_t i = 0; i < data.tracking.size(); ++i) {
    data.tracking[i].utilisation = 0.123456789012 + 1e-12 * ((i * 5) % 12);
  }
  data.tracking[2].regulatory_class = "FIDC";
  data.tracking[2].cap.reset();
  data.tracking[2].utilisation = 9.5;
  const std::string probe = R"js(
    function column(i) {
      return Array.prototype.map.call(document.querySelectorAll("#tracking-table tbody tr"),
          function(tr) { return tr.dataset.fund; }).join(",");
    }
    var th = document.querySelectorAll("#tracking-table th");
    th[10].click(); document.body.dataset.byUtil = column();
    th[7].click(); th[7].click(); document.body.dataset.byDaysDesc = column();
    document.body.dataset.utilRows = Array.prototype.map.call(
        document.querySelectorAll("#chart-util .util-row"),
        function(g) { return g.dataset.fund; }).join(",");
  )js";
  BrowserRun run = BrowseWithProbe(data, "dashboard-sort.html", probe);
  EXPECT_TRUE(ConsoleLines(run.log).empty()) << run.log;
  std::vector<const TrackingRow*> rows;
  for (const TrackingRow& r : data.tracking) rows.push_back(&r);
  auto ids = [&] {
    std::vector<int64_t> out;
    for (const TrackingRow* r : rows) out.push_back(r->fund_id);
    return absl::StrJoin(out, ",");
  };
  std::stable_sort(rows.begin(), rows.end(), [](auto* a, auto* b) {
    return *a->utilisation < *b->utilisation;
  });
  EXPECT_EQ(Attribute(run.dom, "by-util"), ids());
  // Descending days; funds without a due date last; ties by fund id.
  std::stable_sort(rows.begin(), rows.end(), [](auto* a, auto* b) {
    if (a->next_due_date.empty() != b->next_due_date.empty()) return b->next_due_date.empty();
    if (a->next_due_date.empty()) return a->fund_id < b->fund_id;
    return a->days_to_due != b->days_to_due ? a->days_to_due > b->days_to_due
                                            : a->fund_id < b->fund_id;
  });
  EXPECT_EQ(Attribute(run.dom, "by-days-desc"), ids());
  std::string drawn = Attribute(run.dom, "util-rows");
  EXPECT_EQ(absl::StrSplit(drawn, ',').begin()->size(), 3u) << drawn;
  for (absl::string_view id : absl::StrSplit(drawn, ',')) {
    EXPECT_NE(id, absl::StrCat(data.tracking[2].fund_id)) << "a fund without a cap was drawn";
  }
  EXPECT_NE(run.dom.find("without a cap (FIDC, FII and other classes): utilisation not "
                         "applicable"),
            std::string::npos);
  EXPECT_NE(run.dom.find(absl::StrCat("<td class=\"num\">n/a</td>")), std::string::npos);
}

// At 1280 and 1920 px the page has no horizontal overflow, the table fits its section and no
// manager name takes three lines (screenshots: the live test, cmd_report_daemon_test.cc).
TEST(ReportRender, TableFitsTheWindowAt1280And1920Pixels) {
  DashboardData data = Fixture(40);
  const std::string probe = R"js(
    var table = document.getElementById("tracking-table");
    var section = document.getElementById("tracking");
    document.body.dataset.tableOverflow = table.getBoundingClientRect().right >
        section.getBoundingClientRect().right;
    document.body.dataset.pageOverflow =
        document.documentElement.scrollWidth > window.innerWidth;
    var most = 0;  // text lines of the longest manager name: distinct tops of its line boxes
    document.querySelectorAll("#tracking-table td.manager").forEach(function(td) {
      var range = document.createRange(), tops = {};
      range.selectNodeContents(td);
      Array.prototype.forEach.call(range.getClientRects(), function(r) {
        tops[Math.round(r.top)] = true;
      });
      most = Math.max(most, Object.keys(tops).length);
    });
    document.body.dataset.managerLines = most;
  )js";
  for (int width : {1280, 1920}) {
    BrowserRun run = BrowseWithProbe(data, absl::StrCat("dashboard-fit-", width, ".html"), probe,
                                     width);
    EXPECT_TRUE(ConsoleLines(run.log).empty()) << run.log;
    EXPECT_EQ(Attribute(run.dom, "table-overflow"), "false") << width;
    EXPECT_EQ(Attribute(run.dom, "page-overflow"), "false") << width;
    // The long manager names take two lines at 1280 px, one at 1920 px; never three.
    EXPECT_EQ(Attribute(run.dom, "manager-lines"), width == 1280 ? "2" : "1") << width;
  }
}

// The cap bar is drawn to a percentage axis: bar length over the axis is the utilisation.
TEST(ReportSvg, CapBarIsDrawnToScaleWithTicksCapAndWarningLevel) {
  for (double utilisation : {3.436, 0.695, 0.683}) {
    std::string svg = SvgCapBar(utilisation, 0.7, 0.8);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(svg, m, std::regex("class=\"util\" x=\"([0-9.]+)\" y=\"[0-9.]+\" "
                                                     "width=\"([0-9.]+)\"")));
    const double bar = std::stod(m[2]);
    std::vector<double> ticks;
    const std::regex tick("class=\"lbl tick\" text-anchor=\"middle\">([0-9.]+)%<");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tick);
         it != std::sregex_iterator(); ++it) {
      ticks.push_back(std::stod((*it)[1]) / 100);
    }
    ASSERT_GE(ticks.size(), 3u) << svg;
    EXPECT_EQ(ticks.front(), 0);
    EXPECT_GE(ticks.back(), utilisation);
    EXPECT_NEAR(bar / 700, utilisation / ticks.back(), 0.002) << utilisation;
    EXPECT_NE(svg.find("class=\"cap\""), std::string::npos);
    EXPECT_NE(svg.find("warning level 56.0% (80.0% of the cap)"), std::string::npos);
  }
  std::string no_cap = SvgCapBar(0.9, std::nullopt, 0.8);
  EXPECT_NE(no_cap.find("cap: not applicable"), std::string::npos);
  EXPECT_EQ(no_cap.find("class=\"cap\""), std::string::npos);
  EXPECT_NE(SvgCapBar(std::nullopt, 0.7, 0.8).find("not available"), std::string::npos);
}

TEST(ReportFormat, AmountsHaveThousandsSeparatorsAndExactlyTwoRoundedDecimals) {
  EXPECT_EQ(FormatAmount("1234567.5"), "1,234,567.50");
  EXPECT_EQ(FormatAmount("-9223372036854.775807"), "-9,223,372,036,854.78");
  EXPECT_EQ(FormatAmount("9543296.804999"), "9,543,296.80");
  EXPECT_EQ(FormatAmount("999.995"), "1,000.00");
  EXPECT_EQ(FormatAmount("-0.004"), "0.00");
  EXPECT_EQ(FormatAmount("0"), "0.00");
  EXPECT_EQ(FormatAmount("999"), "999.00");
  EXPECT_EQ(FormatAmount(""), "");
  EXPECT_EQ(FormatAmount("abc"), "abc");
  EXPECT_EQ(HtmlEscape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
}

TEST(ReportFormat, EnumNamesReadAsWords) {
  EXPECT_EQ(EnumLabel("RENDA_FIXA"), "Renda Fixa");
  EXPECT_EQ(EnumLabel("ACOES"), "Ações");
  EXPECT_EQ(EnumLabel("FIDC"), "FIDC");
  EXPECT_EQ(EnumLabel("OFFSHORE"), "Offshore");
  EXPECT_EQ(EnumLabel("OTC"), "OTC");
  EXPECT_EQ(StatusLabel("RECEIVED_NOT_VALIDATED"), "Not validated");
  EXPECT_EQ(StatusLabel("NEVER_SUBMITTED"), "Never submitted");
  EXPECT_EQ(StatusLabel("NOT_APPLICABLE"), "N/A");
}

}  // namespace
}  // namespace riskcap::client
