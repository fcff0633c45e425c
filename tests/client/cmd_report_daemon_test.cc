// `riskcap report` end to end: the real binary against the real riskcapd after the real pipeline
// ran from the simulated upstream (and an analyst validated two submissions), the file rendered in
// headless Chromium at 1280 and 1920 px: the page's script finishes with no console message, the
// views carry the server's numbers, a filter narrows the table, the table fits the window, and
// screenshots are written to <build>/report-screens/live-<backend>-<width>.png.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <regex>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/report_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/browser.h"
#include "tests/client/cli_daemon_harness.h"

namespace riskcap::client::cli_testing {
namespace {

namespace fs = std::filesystem;
using browser_testing::ArtefactDir;
using browser_testing::Browse;
using browser_testing::BrowserRun;
using browser_testing::ConsoleLines;
using browser_testing::ScreenDir;
using ::testing::HasSubstr;

using CliReportDaemon = CliDaemon;

int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string Tile(const std::string& name, const std::string& value) {
  return absl::StrCat("<div class=\"name\">", name, "</div><div class=\"num\">", value, "</div>");
}

TEST_P(CliReportDaemon, DashboardOfThePipelinesStatusRendersWithTheServersNumbers) {
  ASSERT_GT(RunPipeline(), 0);
  // Validate two received submissions, then refresh the status: a validation rate above 0.
  CliResult before = Cli({"status", "-o", "csv"}, analyst_);
  ASSERT_EQ(before.code, 0) << before.err;
  int validated = 0;
  for (auto& row : CsvRecords(before.out)) {
    if (validated == 2 || row["submission_id"] == "0" || row["submission_id"].empty()) continue;
    CliResult ok = Cli({"margin", "validate", row["submission_id"], "--reason", "checked"},
                       analyst_);
    ASSERT_EQ(ok.code, 0) << ok.err;
    ++validated;
  }
  ASSERT_EQ(validated, 2);
  CliResult refresh =
      Cli({"job", "run", "margin_status", "--date", TodayUtc(), "--watch"}, service_);
  ASSERT_EQ(refresh.code, 0) << refresh.out << refresh.err;

  CliResult summary = Cli({"status", "--summary", "-o", "json"}, analyst_);
  ASSERT_EQ(summary.code, 0) << summary.err;
  Json kpis = Json::parse(summary.out);
  EXPECT_EQ(kpis.at("validated_count").get<int64_t>(), 2);
  CliResult status = Cli({"status", "-o", "csv"}, analyst_);
  ASSERT_EQ(status.code, 0) << status.err;
  auto rows = CsvRecords(status.out);
  ASSERT_FALSE(rows.empty());

  // A year of stored NAV history (a backfill range), for the fund views' 12-month lines.
  const std::string year_ago =
      absl::FormatTime("%Y-%m-%d", absl::Now() - absl::Hours(24 * 330), absl::UTCTimeZone());
  CliResult history = Cli({"job", "run", "nav_history", "--date", TodayUtc(), "--param",
                           "from=" + year_ago, "--param", "to=" + TodayUtc(), "--watch"},
                          service_);
  ASSERT_EQ(history.code, 0) << history.out << history.err;

  const std::string name = absl::StrCat(
      "live-", GetParam() == db::Backend::kSqlite ? "sqlite" : "postgresql");
  const std::string file = (dir_ / (name + ".html")).string();
  CliResult report = Cli({"report", "--out", file}, analyst_);
  ASSERT_EQ(report.code, 0) << report.err;
  EXPECT_THAT(report.err, HasSubstr(absl::StrCat("wrote ", file)));
  std::stringstream html;
  html << std::ifstream(file).rdbuf();
  ASSERT_GT(html.str().size(), 1000u);
  EXPECT_EQ(html.str().find("http://"), std::string::npos) << "no network assets";
  EXPECT_EQ(html.str().find("https://"), std::string::npos) << "no network assets";

  // After the page's script: filter on the first exposure offered, measure, clear.
  const std::string probe = R"js(<script>
    var body = document.body.dataset, select = document.getElementById("f-exp");
    function rows() { return document.querySelectorAll("#tracking-table tbody tr").length; }
    body.allRows = rows();
    body.validatedCells = Array.prototype.filter.call(
        document.querySelectorAll("#tracking-table tbody tr"),
        function(tr) { return /^\d{4}-\d\d-\d\d$/.test(tr.children[6].textContent); }).length;
    var table = document.getElementById("tracking-table");
    body.tableOverflow = table.getBoundingClientRect().right >
        document.getElementById("tracking").getBoundingClientRect().right;
    body.pageOverflow = document.documentElement.scrollWidth > window.innerWidth;
    select.value = select.options[1].value;
    select.dispatchEvent(new Event("change"));
    body.filterValue = select.value;
    body.filteredRows = rows();
    document.getElementById("f-clear").click();
    body.clearedRows = rows();
  </script></body>)js";
  // The fund views' NAV line (the first series of each chart) spans the stored months.
  const std::string page = html.str();
  std::smatch line;
  ASSERT_TRUE(std::regex_search(page, line,
                                std::regex("class=\"chart line\"[^]*?<polyline [^>]*points=\""
                                           "([^\"]*)\"")));
  EXPECT_GE(CountOf(line[1].str(), ","), 10) << "NAV points: " << line[1];
  // Every monitored fund among the page's rows.
  for (auto& row : rows) {
    EXPECT_THAT(html.str(), HasSubstr(absl::StrCat("\"id\":", row["fund_id"], ",")));
  }
  // The page is the same bytes whichever store served it: Chromium checks it once, on SQLite.
  if (GetParam() != db::Backend::kSqlite) return;
  std::string probed = html.str();
  probed.replace(probed.rfind("</body>"), 7, probe);
  for (int width : {1280, 1920}) {
    const std::string screenshot = absl::StrCat(ScreenDir(), "/", name, "-", width, ".png");
    fs::remove(screenshot);
    BrowserRun shot = Browse(html.str(), absl::StrCat(name, "-", width, ".html"), screenshot,
                             width, 3000);
    EXPECT_TRUE(ConsoleLines(shot.log).empty()) << shot.log;
    ASSERT_TRUE(fs::exists(screenshot));
    EXPECT_GT(fs::file_size(screenshot), 10000u);
    std::cout << "live dashboard screenshot: " << screenshot << "\n";
    BrowserRun run = Browse(probed, absl::StrCat(name, "-probe-", width, ".html"), "", width);
    EXPECT_TRUE(ConsoleLines(run.log).empty()) << run.log;
    const std::string& dom = run.dom;
    EXPECT_THAT(dom, HasSubstr("data-status=\"ready\""));
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("data-all-rows=\"", rows.size(), "\"")));
    EXPECT_THAT(dom, HasSubstr("data-table-overflow=\"false\"")) << width;
    EXPECT_THAT(dom, HasSubstr("data-page-overflow=\"false\"")) << width;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(dom, m, std::regex("data-filter-value=\"([A-Z_]+)\"")));
    int want = 0;
    for (auto& row : rows) {
      want += absl::EndsWith(row["consolidated_exposure"], m[1].str());
    }
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("data-filtered-rows=\"", want, "\"")));
    EXPECT_LT(want, static_cast<int>(rows.size())) << "the filter narrows the table";
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("data-cleared-rows=\"", rows.size(), "\"")));
    if (width != 1280) continue;
    for (std::string id : {std::string("id=\"overview\""), std::string("id=\"tracking\"")}) {
      EXPECT_NE(dom.find(id), std::string::npos) << id;
    }
    const int64_t monitored = kpis.at("monitored_fund_count").get<int64_t>();
    const int64_t received = kpis.at("received_count").get<int64_t>();
    EXPECT_NE(dom.find(Tile("Validation rate",
                            FormatPercent(kpis.at("validation_rate").get<double>()))),
              std::string::npos)
        << kpis.at("validation_rate");
    EXPECT_NE(dom.find(Tile("Funds monitored", absl::StrCat(monitored))), std::string::npos);
    EXPECT_NE(dom.find(Tile("Received", absl::StrCat(received))), std::string::npos);
    EXPECT_NE(
        dom.find(Tile("Pending", absl::StrCat(kpis.at("not_received_count").get<int64_t>()))),
        std::string::npos);
    // Every monitored fund in the table; the two validated today show today's date.
    for (auto& row : rows) {
      const std::string name_html = browser_testing::DomText(row["fund_name"]);
      const bool shown =
          dom.find(absl::StrCat(name_html, "</a> <small>#", row["fund_id"])) != std::string::npos ||
          dom.find(absl::StrCat(name_html, " <small>#", row["fund_id"])) != std::string::npos;
      EXPECT_TRUE(shown) << row["fund_name"];
    }
    int validated_rows = 0;
    for (auto& row : rows) {
      validated_rows += absl::EndsWith(row["validation_status"], "RECEIVED_VALIDATED");
    }
    EXPECT_GE(validated_rows, 2);
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("data-validated-cells=\"", validated_rows, "\"")))
        << "a validation date for each validated fund";
    // The default fund views: funds with a cap, NAV in money with two decimals.
    ASSERT_THAT(dom, HasSubstr("class=\"fund\""));
    EXPECT_THAT(dom, ::testing::Not(HasSubstr("cap: not applicable")));
  }
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(CliReportDaemon);

}  // namespace
}  // namespace riskcap::client::cli_testing
