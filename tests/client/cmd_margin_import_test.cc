// riskcap margin import end to end: files of margin reports through SubmitMargins, on both
// backends.
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "tests/client/cli_harness.h"
#include "tests/testing/test_store.h"

namespace riskcap::client::cli_testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using Json = nlohmann::json;

constexpr char kHeader[] = "fund_id,reference_date,local_margin,offshore_margin,methodology\n";

// `rows` margin reports for funds 101 and 201 (both active), dates in November 2026.
std::string MarginCsv(int rows) {
  std::string text = kHeader;
  for (int i = 0; i < rows; ++i) {
    absl::StrAppend(&text, i % 2 == 0 ? 101 : 201, ",2026-11-", 10 + i % 14, ",", 1000 + i, ".25,",
                    i % 7, ",\"Historical VaR 99%, 10 days\"\n");
  }
  return text;
}

class CliMarginImportTest : public CliHarness {};

TEST_P(CliMarginImportTest, TenThousandRowsAreAcceptedAndReimportingReplaysThem) {
  std::string path = WriteFile("margins-2026-11.csv", MarginCsv(10000));
  absl::Time start = absl::Now();
  CliResult first = Cli({"margin", "import", path, "-o", "csv"}, service_);
  absl::Duration first_time = absl::Now() - start;
  ASSERT_EQ(first.code, 0) << first.err;
  auto rows = CsvRecords(first.out);
  ASSERT_THAT(rows, SizeIs(10000));
  std::set<std::string> ids;
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i]["row"], absl::StrCat(i + 1));
    EXPECT_EQ(rows[i]["request_id"], absl::StrCat("margins-2026-11.csv:", i + 1));
    EXPECT_EQ(rows[i]["error"], "");
    EXPECT_EQ(rows[i]["replayed"], "false");
    ids.insert(rows[i]["submission_id"]);
  }
  EXPECT_THAT(ids, SizeIs(10000));
  EXPECT_THAT(first.err, HasSubstr("10000 rows, 10000 accepted (0 replayed), 0 rejected"));

  start = absl::Now();
  CliResult again = Cli({"margin", "import", path, "-o", "json"}, service_);
  absl::Duration again_time = absl::Now() - start;
  ASSERT_EQ(again.code, 0) << again.err;
  Json replayed = Json::parse(again.out);
  ASSERT_THAT(replayed, SizeIs(10000));
  for (size_t i = 0; i < replayed.size(); ++i) {
    EXPECT_EQ(absl::StrCat(replayed[i]["submission_id"].get<int64_t>()), rows[i]["submission_id"]);
    EXPECT_EQ(replayed[i]["replayed"], true);
  }
  std::cerr << "10k import " << first_time << ", re-import " << again_time << "\n";
  // Nothing was stored twice.
  CliResult listed = Cli(
      {"margin", "list", "--fund", "101", "--all", "--page-size", "1000", "-o", "csv"}, analyst_);
  ASSERT_EQ(listed.code, 0) << listed.err;
  EXPECT_THAT(CsvRecords(listed.out), SizeIs(5000));
}

TEST_P(CliMarginImportTest, BadRowsAreReportedAndTheOthersAccepted) {
  std::string path =
      WriteFile("mixed.csv", absl::StrCat(kHeader,
                                          "101,2026-11-20,1500000.25,0,VaR\n"
                                          "201,2026-11-20,10,0.5,VaR\n"
                                          "101,2026-11-20,-1,0,VaR\n"  // bad amount (server)
                                          "abc,2026-11-20,1,0,VaR\n"   // bad id (read locally)
                                          "999,2026-11-20,1,0,VaR\n"   // unknown fund
                                          "101,2026-11-21,7.000001,0,VaR\n"));
  CliResult r = Cli({"margin", "import", path, "-o", "json"}, service_);
  EXPECT_EQ(r.code, 3) << r.err;  // the first rejected row's: invalid input
  Json rows = Json::parse(r.out);
  ASSERT_THAT(rows, SizeIs(6));
  for (int accepted : {0, 1, 5}) {
    EXPECT_GT(rows[accepted]["submission_id"].get<int64_t>(), 0) << accepted;
    EXPECT_EQ(rows[accepted]["error"], "");
  }
  EXPECT_THAT(rows[2]["error"].get<std::string>(),
              AllOf(HasSubstr("invalid argument"), HasSubstr("local_margin")));
  EXPECT_THAT(rows[3]["error"].get<std::string>(),
              AllOf(HasSubstr("rows[3].fund_id"), HasSubstr("'abc'")));
  EXPECT_THAT(rows[4]["error"].get<std::string>(), HasSubstr("not found"));
  EXPECT_TRUE(rows[2]["submission_id"].is_null());
  EXPECT_THAT(r.err, AllOf(HasSubstr("riskcap: row 3 (mixed.csv:3): invalid argument: "),
                           HasSubstr("riskcap: row 4 (mixed.csv:4)"),
                           HasSubstr("6 rows, 3 accepted (0 replayed), 3 rejected")));
  // The accepted amounts are stored exactly.
  CliResult got =
      Cli({"margin", "get", absl::StrCat(rows[5]["submission_id"].get<int64_t>()), "-o", "json"},
          analyst_);
  ASSERT_EQ(got.code, 0) << got.err;
  EXPECT_EQ(Json::parse(got.out)["local_margin"], "7.000001");
}

TEST_P(CliMarginImportTest, JsonFileWithItsOwnRequestIdsInTableOutput) {
  Json file = {{"rows",
                {{{"request_id", "batch7-a"},
                  {"fund_id", 101},
                  {"reference_date", "2026-11-20"},
                  {"local_margin", "10.50"},
                  {"offshore_margin", "0"},
                  {"methodology", "VaR"}},
                 {{"request_id", "batch7-b"},
                  {"fund_id", "201"},
                  {"reference_date", "2026-11-20"},
                  {"local_margin", "20"},
                  {"offshore_margin", "1"},
                  {"methodology", "VaR"}}}}};
  std::string path = WriteFile("margins.json", file.dump());
  CliResult r = Cli({"margin", "import", path}, service_);
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(3));
  EXPECT_THAT(lines[0],
              AllOf(HasSubstr("ROW"), HasSubstr("REQUEST_ID"), HasSubstr("SUBMISSION_ID")));
  EXPECT_THAT(lines[1], HasSubstr("batch7-a"));
  EXPECT_THAT(lines[2], HasSubstr("batch7-b"));
}

TEST_P(CliMarginImportTest, MalformedFilesFailWholeWithExitCode3) {
  CliResult column = Cli(
      {"margin", "import", WriteFile("c.csv", "fund_id,reference_date,local,offshore_margin\n")},
      service_);
  EXPECT_EQ(column.code, 3);
  EXPECT_THAT(column.err, HasSubstr("unknown CSV column 'local'"));
  CliResult json =
      Cli({"margin", "import", WriteFile("j.json", "{\"rows\": [{\"fund_id\": 1,")}, service_);
  EXPECT_EQ(json.code, 3);
  EXPECT_THAT(json.err, HasSubstr("not valid JSON"));
  CliResult absent = Cli({"margin", "import", (dir_ / "none.csv").string()}, service_);
  EXPECT_EQ(absent.code, 3);
  EXPECT_THAT(absent.err, HasSubstr("cannot open"));
  EXPECT_EQ(Cli({"margin", "import"}, service_).code, 2);
  EXPECT_EQ(Cli({"margin", "import", WriteFile("ok.csv", MarginCsv(2))}, analyst_).code, 5);
}

TEST_P(CliMarginImportTest, AManagerKeyImportsOnlyItsOwnFunds) {
  std::string manager1 = server_->CreateKey(Role::kManager, 1);
  CliResult r = Cli({"margin", "import", WriteFile("m.csv", MarginCsv(4)), "-o", "json"}, manager1);
  EXPECT_EQ(r.code, 5) << r.err;  // rows of fund 201 belong to manager 2
  Json rows = Json::parse(r.out);
  ASSERT_THAT(rows, SizeIs(4));
  EXPECT_EQ(rows[0]["error"], "");
  EXPECT_THAT(rows[1]["error"].get<std::string>(), HasSubstr("permission denied"));
  EXPECT_EQ(rows[2]["error"], "");
  // No progress drawing when stderr is not a terminal: only the summary.
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  EXPECT_THAT(r.err, HasSubstr("4 rows, 2 accepted (0 replayed), 2 rejected"));
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(CliMarginImportTest);

}  // namespace
}  // namespace riskcap::client::cli_testing
