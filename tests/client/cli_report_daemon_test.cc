// `riskcap report` end to end: the real binary against the real riskcapd after the real pipeline
// ran from the simulated upstream (and an analyst validated two submissions), the file rendered in
// headless Chromium: the three views carry the server's numbers, no console message, and a
// screenshot is written as a test artefact (test-artifacts/dashboard-live-<backend>.png).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

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
using ::testing::HasSubstr;

using CliReportDaemon = CliDaemon;

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
  auto fund = rows.front();

  const std::string name = absl::StrCat(
      "dashboard-live-", GetParam() == db::Backend::kSqlite ? "sqlite" : "postgresql");
  const std::string file = (dir_ / (name + ".html")).string();
  CliResult report = Cli({"report", "--out", file, "--fund", fund["fund_id"]}, analyst_);
  ASSERT_EQ(report.code, 0) << report.err;
  EXPECT_THAT(report.err, HasSubstr(absl::StrCat("wrote ", file)));
  std::stringstream html;
  html << std::ifstream(file).rdbuf();
  ASSERT_GT(html.str().size(), 1000u);
  EXPECT_EQ(html.str().find("http://"), std::string::npos) << "no network assets";

  const std::string screenshot = ArtefactDir() + "/" + name + ".png";
  fs::remove(screenshot);
  BrowserRun run = Browse(html.str(), name + ".html", screenshot);
  EXPECT_TRUE(ConsoleLines(run.log).empty()) << run.log;
  const std::string& dom = run.dom;
  for (std::string id : {std::string("id=\"overview\""), std::string("id=\"tracking\""),
                         absl::StrCat("id=\"fund-", fund["fund_id"], "\"")}) {
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
  EXPECT_NE(dom.find(Tile("Pending", absl::StrCat(kpis.at("not_received_count").get<int64_t>()))),
            std::string::npos);
  // Every monitored fund in the tracking table, and the fund view's NAV as the server has it.
  for (auto& row : rows) {
    EXPECT_NE(dom.find(absl::StrCat(browser_testing::DomText(row["fund_name"]), " <small>#",
                                    row["fund_id"])),
              std::string::npos)
        << row["fund_name"];
  }
  EXPECT_NE(dom.find(absl::StrCat(FormatAmount(fund["risk_capital_nav"]), " BRL")),
            std::string::npos)
      << fund["risk_capital_nav"];
  ASSERT_TRUE(fs::exists(screenshot));
  EXPECT_GT(fs::file_size(screenshot), 10000u);
  std::cout << "live dashboard screenshot: " << screenshot << "\n";
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(CliReportDaemon);

}  // namespace
}  // namespace riskcap::client::cli_testing
