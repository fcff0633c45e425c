// `riskcap status --fund N --explain [--recompute]` end to end against the real riskcapd after the
// real pipeline ran from the simulated upstream: every fund's status recomputes equal, the text
// and JSON outputs carry the inputs and the arithmetic, a value changed in the database after the
// run is reported by name with exit code 1, and bad flag combinations are refused.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/cli_daemon_harness.h"
#include "tests/testing/store_sql.h"

namespace riskcap::client::cli_testing {
namespace {

using ::testing::HasSubstr;

using CliExplainDaemon = CliDaemon;

std::vector<std::string> FundIds(const std::vector<std::map<std::string, std::string>>& rows) {
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back(row.at("fund_id"));
  return ids;
}

TEST_P(CliExplainDaemon, EveryFundOfThePipelineRecomputesEqual) {
  ASSERT_GT(RunPipeline(), 0);
  CliResult all = Cli({"status", "--all-funds", "-o", "csv"}, analyst_);
  ASSERT_EQ(all.code, 0) << all.err;
  const std::vector<std::string> funds = FundIds(CsvRecords(all.out));
  ASSERT_GT(funds.size(), 10u);
  for (const std::string& fund : funds) {
    CliResult r = Cli({"status", "--fund", fund, "--explain", "--recompute", "-o", "json"},
                      analyst_);
    ASSERT_EQ(r.code, 0) << fund << ": " << r.out << r.err;
    const Json doc = Json::parse(r.out);
    EXPECT_EQ(doc.at("recomputation_matches"), true) << fund << ": " << r.out;
    EXPECT_EQ(doc.at("status_fund_id").dump(), fund);
    EXPECT_EQ(doc.at("snapshot_reference_date"), TodayUtc());
    EXPECT_EQ(doc.at("rules_config_recorded"), true);
    EXPECT_FALSE(doc.at("inputs").empty());
    EXPECT_FALSE(doc.at("steps").empty());
  }
}

TEST_P(CliExplainDaemon, TextShowsInputsAndArithmeticAndATamperedNavIsNamed) {
  ASSERT_GT(RunPipeline(), 0);
  CliResult monitored = Cli({"status", "--exposure", "OTC", "-o", "csv"}, analyst_);
  ASSERT_EQ(monitored.code, 0) << monitored.err;
  auto rows = CsvRecords(monitored.out);
  std::string fund;
  for (auto& row : rows) {
    if (!row["risk_capital_nav"].empty() && !row["risk_capital_cap"].empty()) {
      fund = row["fund_id"];
    }
  }
  ASSERT_FALSE(fund.empty()) << "an OTC fund with a NAV and a cap";

  CliResult text = Cli({"status", "--fund", fund, "--explain", "--recompute"}, analyst_);
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("SECTION"));
  EXPECT_THAT(text.out, HasSubstr("NAV_SNAPSHOT"));
  EXPECT_THAT(text.out, HasSubstr("EXPOSURE_SNAPSHOT"));
  EXPECT_THAT(text.out, HasSubstr("POSITIONS_BATCH"));
  EXPECT_THAT(text.out, HasSubstr("warning_fraction"));
  EXPECT_THAT(text.out, HasSubstr("gross margin = exchange "));
  EXPECT_THAT(text.out, HasSubstr("utilisation = gross "));
  EXPECT_THAT(text.out, HasSubstr("cap = min(class cap "));
  EXPECT_THAT(text.out, HasSubstr("MATCH"));

  {  // The NAV changes under the stored status, as a database owner could change it.
    auto store = db::Store::Open(scratch_->url(), 1);
    ASSERT_TRUE(store.ok()) << store.status();
    absl::Status st = testing::WriteSql(**store, [&](soci::session& s) -> absl::Status {
      long long id = std::stoll(fund);
      s << "UPDATE nav_snapshots SET nav_micros = nav_micros + 1000000 WHERE fund_id = :f",
          soci::use(id);
      return absl::OkStatus();
    });
    ASSERT_TRUE(st.ok()) << st;
  }
  CliResult tampered = Cli({"status", "--fund", fund, "--explain", "--recompute", "-o", "json"},
                           analyst_);
  EXPECT_EQ(tampered.code, 1) << tampered.err;
  EXPECT_THAT(tampered.err, HasSubstr("recomputed figures differ from the stored ones: nav"));
  const Json doc = Json::parse(tampered.out);
  EXPECT_EQ(doc.at("recomputation_matches"), false);
  EXPECT_EQ(doc.at("recomputation_mismatches").at(0).at("figure"), "nav");
  CliResult tampered_text = Cli({"status", "--fund", fund, "--explain", "--recompute"}, analyst_);
  EXPECT_EQ(tampered_text.code, 1);
  EXPECT_THAT(tampered_text.out, HasSubstr("MISMATCH"));
}

TEST_P(CliExplainDaemon, FlagErrors) {
  CliResult no_fund = Cli({"status", "--explain"}, analyst_);
  EXPECT_EQ(no_fund.code, 3);
  EXPECT_THAT(no_fund.err, HasSubstr("--explain needs --fund"));
  CliResult no_explain = Cli({"status", "--fund", "5", "--recompute"}, analyst_);
  EXPECT_EQ(no_explain.code, 3);
  EXPECT_THAT(no_explain.err, HasSubstr("--recompute needs --explain"));
  CliResult with_summary = Cli({"status", "--fund", "5", "--explain", "--summary"}, analyst_);
  EXPECT_EQ(with_summary.code, 2);
  CliResult no_status = Cli({"status", "--fund", "5", "--explain"}, analyst_);
  EXPECT_EQ(no_status.code, 4) << no_status.err;  // nothing ran yet
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(CliExplainDaemon);

}  // namespace
}  // namespace riskcap::client::cli_testing
