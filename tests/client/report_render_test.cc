// The HTML dashboard rendered by the real browser (Debian's headless Chromium): the page loads
// with no console message, the three views carry the numbers of the data, tables sort, and a
// screenshot is written as a test artefact under the build directory.
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
constexpr const char* kClasses[] = {"MULTIMERCADO", "ACOES", "RENDA_FIXA"};
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
    r.manager_name = absl::StrCat("Gestora ", i % 4, " LTDA");
    r.regulatory_class = kClasses[(i * 7) % 3];
    r.audience = i % 2 ? "QUALIFIED" : "PROFESSIONAL";
    r.exposure = i % 3 ? "OFFSHORE" : "OTC";
    r.deadline_status = kDeadline[i % 4];
    r.validation_status = kValidation[i % 4];
    r.days_to_due = ((i * 37) % 61) - 20;
    if (i % 4 != 2) r.last_submission_date = absl::StrFormat("2026-10-%02d", 1 + i % 28);
    if (i % 4 != 2) r.next_due_date = absl::StrFormat("2026-12-%02d", 1 + i % 28);
    r.limit_status = i % 5 == 0 ? "BREACH" : i % 5 == 1 ? "WARNING" : "WITHIN_LIMIT";
    r.utilisation = 0.05 * (i % 16);
    d.tracking.push_back(r);
  }
  for (const TrackingRow& r : d.tracking) {
    d.kpis.monitored++;
    d.kpis.validated += r.validation_status == "RECEIVED_VALIDATED";
    d.kpis.received += r.validation_status != "NOT_RECEIVED";
    d.kpis.pending += r.validation_status == "NOT_RECEIVED";
    d.kpis.otc_funds += r.exposure == "OTC";
    d.kpis.offshore_funds += r.exposure == "OFFSHORE";
    d.kpis.overdue += r.deadline_status == "OVERDUE";
    d.kpis.breach += r.limit_status == "BREACH";
    d.kpis.warning += r.limit_status == "WARNING";
  }
  for (const char* c : kClasses) {
    int count = std::count_if(d.tracking.begin(), d.tracking.end(),
                              [&](const TrackingRow& r) { return r.regulatory_class == c; });
    d.funds_per_class.emplace_back(c, count);
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
  f.gross_margin = "9543296.8";
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

TEST(ReportRender, ConsoleCaptureCatchesPageErrors) {
  BrowserRun run = Browse("<html><body><script>throw new Error('boom')</script></body></html>",
                          "console-probe.html");
  std::vector<std::string> lines = ConsoleLines(run.log);
  ASSERT_EQ(lines.size(), 1u) << run.log;
  EXPECT_NE(lines[0].find("Uncaught Error: boom"), std::string::npos);
}

TEST(ReportRender, ChromiumShowsTheThreeViewsWithTheDataAndNoConsoleErrors) {
  DashboardData data = Fixture(24);
  std::string screenshot = ArtefactDir() + "/dashboard.png";
  fs::remove(screenshot);
  BrowserRun run = Browse(RenderDashboardHtml(data), "dashboard.html", screenshot);
  EXPECT_TRUE(ConsoleLines(run.log).empty()) << run.log;
  const std::string& dom = run.dom;
  for (const char* id : {"id=\"overview\"", "id=\"tracking\"", "id=\"fund-101\""}) {
    EXPECT_NE(dom.find(id), std::string::npos) << id;
  }
  const DashboardKpis& k = data.kpis;
  auto tile = [](const std::string& name, const std::string& value) {
    return absl::StrCat("<div class=\"name\">", name, "</div><div class=\"num\">", value, "</div>");
  };
  EXPECT_NE(dom.find(tile("Validation rate",
                          FormatPercent(static_cast<double>(k.validated) / k.monitored))),
            std::string::npos);
  EXPECT_NE(dom.find(tile("Funds monitored", absl::StrCat(k.monitored))), std::string::npos);
  EXPECT_NE(dom.find(tile("Received", absl::StrCat(k.received))), std::string::npos);
  EXPECT_NE(dom.find(tile("Pending", absl::StrCat(k.pending))), std::string::npos);
  for (const auto& [cls, count] : data.funds_per_class) {
    EXPECT_NE(dom.find(absl::StrCat(">", count, "</text>")), std::string::npos) << cls;
    EXPECT_NE(dom.find(absl::StrCat(">", cls, "</text>")), std::string::npos) << cls;
  }
  EXPECT_NE(dom.find(absl::StrCat("OTC: ", k.otc_funds, " (")), std::string::npos);
  EXPECT_NE(dom.find(absl::StrCat("Offshore: ", k.offshore_funds, " (")), std::string::npos);
  // Every fund in the tracking table; text escaped, never markup.
  for (const TrackingRow& r : data.tracking) {
    EXPECT_NE(dom.find(absl::StrCat(DomText(r.fund_name), " <small>#", r.fund_id)),
              std::string::npos)
        << r.fund_name;
  }
  EXPECT_EQ(dom.find("<Macro>"), std::string::npos);
  EXPECT_NE(dom.find("Alpha &lt;Macro&gt; &amp;"), std::string::npos);
  // The fund view: exact money with separators, the cap, the 12 months, the positions.
  EXPECT_NE(dom.find("18,712,345.50 BRL"), std::string::npos);
  EXPECT_NE(dom.find("9,543,296.80 BRL"), std::string::npos);
  EXPECT_NE(dom.find("cap 70.0%"), std::string::npos);
  EXPECT_NE(dom.find("utilisation 51.0% of NAV"), std::string::npos);
  for (const MonthPoint& p : data.funds[0].history) {
    EXPECT_NE(dom.find(absl::StrCat(">", p.month, "</text>")), std::string::npos) << p.month;
  }
  for (const PositionRow& p : data.funds[0].positions) {
    EXPECT_NE(dom.find(absl::StrCat(">", FormatAmount(p.market_value), "</td>")), std::string::npos)
        << p.market_value;
  }
  ASSERT_TRUE(fs::exists(screenshot));
  EXPECT_GT(fs::file_size(screenshot), 10000u);
  std::cout << "dashboard screenshot: " << screenshot << "\n";
}

TEST(ReportRender, ClickingAHeaderSortsTheTrackingTable) {
  DashboardData data = Fixture(12);
  // After the page's own script: click "Days to due" once, then record the fund ids in order.
  std::string probe =
      "<script>document.querySelectorAll('#tracking-table th')[6].click();"
      "document.body.dataset.order=Array.prototype.map.call("
      "document.querySelectorAll('#tracking-table tbody tr'),"
      "function(tr){return tr.children[6].dataset.v;}).join(',');</script></body>";
  std::string html = RenderDashboardHtml(data);
  html.replace(html.rfind("</body>"), 7, probe);
  BrowserRun run = Browse(html, "dashboard-sort.html");
  EXPECT_TRUE(ConsoleLines(run.log).empty()) << run.log;
  std::vector<int64_t> days;  // funds without a due date sort last
  for (const TrackingRow& r : data.tracking) {
    days.push_back(r.next_due_date.empty() ? 1'000'000'000 : r.days_to_due);
  }
  std::sort(days.begin(), days.end());
  std::string expected = absl::StrCat("data-order=\"", absl::StrJoin(days, ","), "\"");
  EXPECT_NE(run.dom.find(expected), std::string::npos) << expected;
}

// The live pipeline has six regulatory classes: fixed 80 px bars in 70 px slots overlapped and
// the first bar and its label started left of the chart ("JLTIMERCADO").
TEST(ReportSvg, BarsOfManyClassesNeitherOverlapNorLeaveTheChart) {
  for (int n : {1, 3, 6, 9}) {
    std::vector<std::pair<std::string, int>> bars;
    for (int i = 0; i < n; ++i) bars.emplace_back("MULTIMERCADO", 3 + i % 2);
    std::string svg = SvgBarChart(bars);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(svg, m, std::regex("viewBox=\"0 0 ([0-9.]+) ")));
    const double width = std::stod(m[1]);
    EXPECT_NE(svg.find("max-width:100%"), std::string::npos);
    double previous_end = 0;
    int rects = 0;
    const std::regex rect("<rect x=\"([-0-9.]+)\" y=\"[-0-9.]+\" width=\"([0-9.]+)\"");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), rect); it != std::sregex_iterator();
         ++it) {
      const double x = std::stod((*it)[1]), w = std::stod((*it)[2]);
      EXPECT_GE(x, previous_end + 8) << n << " bars: bar " << rects << " overlaps or touches";
      // The label (about 7.5 px a character at 12 px) fits in the bar's slot.
      EXPECT_LE(12 * 7.5, width / n) << n;
      previous_end = x + w;
      ++rects;
    }
    EXPECT_EQ(rects, n);
    EXPECT_LE(previous_end, width) << n;
  }
}

TEST(ReportFormat, AmountsKeepEveryDigitWithThousandsSeparators) {
  EXPECT_EQ(FormatAmount("1234567.5"), "1,234,567.50");
  EXPECT_EQ(FormatAmount("-9223372036854.775807"), "-9,223,372,036,854.775807");
  EXPECT_EQ(FormatAmount("0"), "0.00");
  EXPECT_EQ(FormatAmount("999"), "999.00");
  EXPECT_EQ(FormatAmount(""), "");
  EXPECT_EQ(FormatAmount("abc"), "abc");
  EXPECT_EQ(HtmlEscape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
}

}  // namespace
}  // namespace riskcap::client
