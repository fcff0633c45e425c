// The riskcap CLI end to end: the real binary, run as a child process, against a live in-process
// server (MarginService on both backends, RiskService on SQLite).
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/margin/margin_service.h"
#include "server/risk/risk_service.h"
#include "tests/client/cli_harness.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_server.h"

namespace riskcap::client {
namespace {

using ::testing::AllOf;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using Json = nlohmann::json;
using cli_testing::CliResult;
using cli_testing::ParseCsv;
using cli_testing::RunCli;

// BCBS 279 Annex 4a example 1 in the `riskcap calc` format: EAD 569 (docs/risk-methods.md).
constexpr char kExample1[] = R"({"netting_sets": [{"id": "NS1", "margined": false,
  "collateral": 0, "threshold": 0, "mta": 0, "nica": 0, "mpor_days": 10, "trades": [
  {"id": "T1", "asset_class": "IR", "hedging_key": "USD", "notional": 10000, "start_years": 0,
   "end_years": 10, "maturity_years": 10, "mtm": 30, "direction": "LONG"},
  {"id": "T2", "asset_class": "IR", "hedging_key": "USD", "notional": 10000, "start_years": 0,
   "end_years": 4, "maturity_years": 4, "mtm": -20, "direction": "SHORT"},
  {"id": "T3", "asset_class": "IR", "hedging_key": "EUR", "notional": 5000, "start_years": 1,
   "end_years": 11, "maturity_years": 11, "mtm": 50,
   "option": {"type": "PUT", "bought": true, "expiry_years": 1, "strike": 0.05,
              "underlying_price": 0.06}}]}]})";

// Starts a server with the services the CLI talks to and runs the riskcap binary against it.
class CliTestBase {
 protected:
  void StartServer(db::Backend backend) {
    auto server = riskcap::testing::TestServer::Start(backend, [](server::RpcEnv& env) {
      std::vector<std::unique_ptr<grpc::Service>> services;
      services.push_back(std::make_unique<server::MarginServiceImpl>(env));
      services.push_back(std::make_unique<server::RiskServiceImpl>(env));
      return services;
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    riskcap::testing::SeedRegistry(server_->store());
    service_ = server_->CreateKey(Role::kService);
    analyst_ = server_->CreateKey(Role::kAnalyst);
  }

  ~CliTestBase() {
    for (const std::string& path : files_) std::filesystem::remove(path);
  }

  CliResult Cli(const std::vector<std::string>& args, const std::string& token,
                const std::string& address = "") {
    return RunCli(args, address.empty() ? server_->address() : address, token);
  }

  std::string WriteFile(const std::string& text) {
    std::string path = (std::filesystem::temp_directory_path() /
                        absl::StrCat("riskcap_cli_test_", getpid(), "_", files_.size(), ".json"))
                           .string();
    std::ofstream(path) << text;
    files_.push_back(path);
    return path;
  }

  std::unique_ptr<riskcap::testing::TestServer> server_;
  std::string service_, analyst_;
  std::vector<std::string> files_;
};

// ---- calc (RiskService.CalculateBenchmark stores nothing: SQLite is enough) ----

class CliCalcTest : public CliTestBase, public ::testing::Test {
 protected:
  void SetUp() override { StartServer(db::Backend::kSqlite); }

  // Example 1 with one trade member replaced.
  std::string Example1With(const std::string& trade, const std::string& key, const Json& value) {
    Json input = Json::parse(kExample1);
    for (Json& t : input["netting_sets"][0]["trades"]) {
      if (t["id"] == trade) t[key] = value;
    }
    return WriteFile(input.dump());
  }
};

TEST_F(CliCalcTest, SaccrOnBcbs279Example1PrintsTheDocumentedJson) {
  CliResult r =
      Cli({"calc", "saccr", "--input", WriteFile(kExample1), "--output", "json"}, analyst_);
  ASSERT_EQ(r.code, 0) << r.err;
  Json out = Json::parse(r.out);
  ASSERT_THAT(out["netting_sets"], SizeIs(1));
  const Json& set = out["netting_sets"][0];
  EXPECT_EQ(set["id"], "NS1");
  EXPECT_THAT(set["ead"].get<double>(), DoubleNear(569, 0.5));
  EXPECT_THAT(set["replacement_cost"].get<double>(), DoubleNear(60, 1e-9));
  EXPECT_THAT(set["addon"]["IR"].get<double>(), DoubleNear(346.76, 0.01));
  // Members in the documented order.
  const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(r.out)["netting_sets"][0];
  std::vector<std::string> keys, addon_keys;
  for (const auto& [key, value] : ordered.items()) keys.push_back(key);
  for (const auto& [key, value] : ordered["addon"].items()) addon_keys.push_back(key);
  EXPECT_THAT(keys, ElementsAre("id", "replacement_cost", "addon", "addon_aggregate", "multiplier",
                                "pfe", "ead"));
  EXPECT_THAT(addon_keys, ElementsAre("IR", "FX", "CREDIT", "EQUITY", "COMMODITY"));
}

TEST_F(CliCalcTest, ImScheduleOnBcbs279Example1) {
  CliResult r =
      Cli({"calc", "im-schedule", "--input", WriteFile(kExample1), "-o", "json"}, analyst_);
  ASSERT_EQ(r.code, 0) << r.err;
  const Json set = Json::parse(r.out)["netting_sets"][0];
  EXPECT_EQ(set["id"], "NS1");
  EXPECT_THAT(set["gross_im"].get<double>(), DoubleNear(800, 1e-9));
  EXPECT_THAT(set["gross_replacement_cost"].get<double>(), DoubleNear(80, 1e-9));
  EXPECT_THAT(set["net_replacement_cost"].get<double>(), DoubleNear(60, 1e-9));
  EXPECT_THAT(set["ngr"].get<double>(), DoubleNear(0.75, 1e-12));
  EXPECT_THAT(set["net_im"].get<double>(), DoubleNear(680, 1e-9));
}

// docs/risk-methods.md: the schedule needs id, asset_class, notional, maturity_years and mtm.
TEST_F(CliCalcTest, ImScheduleNeedsNoEndYearsButSaccrDoes) {
  Json input = Json::parse(kExample1);
  for (Json& t : input["netting_sets"][0]["trades"]) {
    t.erase("end_years");
    t.erase("start_years");
  }
  const std::string file = WriteFile(input.dump());
  CliResult schedule = Cli({"calc", "im-schedule", "--input", file, "-o", "json"}, analyst_);
  ASSERT_EQ(schedule.code, 0) << schedule.err;
  EXPECT_THAT(Json::parse(schedule.out)["netting_sets"][0]["gross_im"].get<double>(),
              DoubleNear(800, 1e-9));
  CliResult saccr = Cli({"calc", "saccr", "--input", file}, analyst_);
  EXPECT_EQ(saccr.code, 3);
  EXPECT_THAT(saccr.err, AllOf(HasSubstr("netting_sets[0].trades[0].end_years"),
                               HasSubstr("end_years is required")));
}

TEST_F(CliCalcTest, TableIsTheDefaultOutput) {
  CliResult r = Cli({"calc", "saccr", "--input", WriteFile(kExample1)}, analyst_);
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_THAT(lines[0], AllOf(HasSubstr("ID"), HasSubstr("ADDON_IR"), HasSubstr("EAD")));
  EXPECT_THAT(lines[1], AllOf(HasSubstr("NS1"), HasSubstr("569.47")));
}

TEST_F(CliCalcTest, ServerRejectionNamesTradeAndFieldWithExitCode3) {
  CliResult r = Cli({"calc", "saccr", "--input", Example1With("T3", "end_years", 0.5)}, analyst_);
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, AllOf(HasSubstr("netting_sets[0].trades[2].end_years"), HasSubstr("trade T3"),
                           HasSubstr("end_years must be >= start_years")));
  EXPECT_EQ(r.err.substr(0, 9), "riskcap: ");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  CliResult negative =
      Cli({"calc", "im-schedule", "--input", Example1With("T2", "maturity_years", -1)}, analyst_);
  EXPECT_EQ(negative.code, 3);
  EXPECT_THAT(negative.err,
              AllOf(HasSubstr("netting_sets[0].trades[1].maturity_years"), HasSubstr("trade T2")));
}

TEST_F(CliCalcTest, BadInputFileIsRejectedBeforeCallingWithExitCode3) {
  CliResult unknown =
      Cli({"calc", "saccr", "--input", Example1With("T2", "asset_class", "XX")}, analyst_);
  EXPECT_EQ(unknown.code, 3);
  EXPECT_THAT(unknown.err, AllOf(HasSubstr("netting_sets[0].trades[1].asset_class"),
                                 HasSubstr("trade T2"), HasSubstr("\"XX\"")));
  Json input = Json::parse(kExample1);
  input["netting_sets"][0]["trades"][0].erase("mtm");
  CliResult missing = Cli({"calc", "saccr", "--input", WriteFile(input.dump())}, analyst_);
  EXPECT_EQ(missing.code, 3);
  EXPECT_THAT(missing.err, HasSubstr("netting_sets[0].trades[0].mtm: netting set NS1 trade T1: "
                                     "mtm is required"));
  CliResult typed =
      Cli({"calc", "saccr", "--input", Example1With("T1", "notional", "10k")}, analyst_);
  EXPECT_EQ(typed.code, 3);
  EXPECT_THAT(typed.err, HasSubstr("trade T1: notional must be a number"));
  CliResult malformed =
      Cli({"calc", "saccr", "--input", WriteFile("{\"netting_sets\": [")}, analyst_);
  EXPECT_EQ(malformed.code, 3);
  EXPECT_THAT(malformed.err, HasSubstr("malformed JSON"));
  // A number no double holds is an error of the input, not an uncaught exception.
  CliResult overflow = Cli(
      {"calc", "saccr", "--input", WriteFile("{\"netting_sets\": [{\"id\": 1e999}]}")},
      analyst_);
  EXPECT_EQ(overflow.code, 3);
  EXPECT_THAT(overflow.err, HasSubstr("malformed JSON: number overflow parsing '1e999'"));
  CliResult absent = Cli({"calc", "saccr", "--input", "/nonexistent/in.json"}, analyst_);
  EXPECT_EQ(absent.code, 3);
  CliResult other =
      Cli({"calc", "saccr", "--input", Example1With("T1", "asset_class", "OTHER")}, analyst_);
  EXPECT_EQ(other.code, 3);
  EXPECT_THAT(other.err, HasSubstr("asset_class OTHER is not covered by SA-CCR"));
}

// A mistyped command is named, with the command it is nearest to (exit 2, usage).
TEST_F(CliCalcTest, UnknownCommandsAreNamedWithASuggestion) {
  CliResult top = Cli({"stauts"}, analyst_);
  EXPECT_EQ(top.code, 2);
  EXPECT_EQ(top.err, "riskcap: unknown command 'stauts'; did you mean 'status'?\n");
  CliResult sub = Cli({"job", "lst"}, analyst_);
  EXPECT_EQ(sub.code, 2);
  EXPECT_EQ(sub.err, "riskcap: unknown command 'lst' for 'riskcap job'; did you mean 'list'?\n");
  CliResult calc = Cli({"-o", "json", "calc", "im-schedul", "--input", "x.json"}, analyst_);
  EXPECT_EQ(calc.code, 2);
  EXPECT_THAT(calc.err, HasSubstr("did you mean 'im-schedule'?"));
}

TEST_F(CliCalcTest, UsageAndAuthenticationExitCodes) {
  EXPECT_EQ(Cli({"calc", "saccr"}, analyst_).code, 2);  // --input is required
  EXPECT_EQ(Cli({"calc", "saccr", "--input", WriteFile(kExample1), "-o", "xml"}, analyst_).code, 2);
  CliResult no_token = Cli({"calc", "saccr", "--input", WriteFile(kExample1)}, "");
  EXPECT_EQ(no_token.code, 5);
  EXPECT_THAT(no_token.err, HasSubstr("RISKCAP_TOKEN"));
  CliResult help = Cli({"calc", "saccr", "--help"}, "");
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("Example:"));
}

// ---- margin (both backends) ----

class CliMarginTest : public CliTestBase, public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override { StartServer(GetParam()); }

  CliResult Submit(int64_t fund, const std::string& local, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "margin",     "submit",     "--fund",        absl::StrCat(fund),
        "--date",     "2026-11-20", "--local",       local,
        "--offshore", "250000",     "--methodology", "Historical VaR 99%, 10-day horizon"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args, service_);
  }

  int64_t SubmitId(int64_t fund) {
    CliResult r = Submit(fund, "1500000.25", {"-o", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return r.code == 0 ? Json::parse(r.out)["submission_id"].get<int64_t>() : 0;
  }
};

TEST_P(CliMarginTest, SubmitPrintsAReceipt) {
  CliResult r = Submit(101, "1500000.25", {"--output", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  Json receipt = Json::parse(r.out);
  EXPECT_GT(receipt["submission_id"].get<int64_t>(), 0);
  EXPECT_TRUE(std::regex_match(
      receipt["request_id"].get<std::string>(),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_TRUE(
      std::regex_match(receipt["content_hash"].get<std::string>(), std::regex("[0-9a-f]{64}")));
  EXPECT_EQ(receipt["receive_time"], "2026-11-24T12:00:00Z");
  EXPECT_EQ(receipt["replayed"], false);
  CliResult table = Submit(101, "1500000.25", {"--request-id", "fixed-1"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_THAT(table.out, AllOf(HasSubstr("submission_id"), HasSubstr("fixed-1")));
  CliResult replay = Submit(101, "1500000.25", {"--request-id", "fixed-1", "-o", "json"});
  ASSERT_EQ(replay.code, 0) << replay.err;
  EXPECT_EQ(Json::parse(replay.out)["replayed"], true);
  EXPECT_EQ(Submit(101, "99", {"--request-id", "fixed-1"}).code, 7);  // same id, other content
}

TEST_P(CliMarginTest, GetInTableJsonAndCsv) {
  std::string id = absl::StrCat(SubmitId(101));
  CliResult json = Cli({"margin", "get", id, "--output", "json"}, analyst_);
  ASSERT_EQ(json.code, 0) << json.err;
  Json s = Json::parse(json.out);
  EXPECT_EQ(s["fund_id"], 101);
  EXPECT_EQ(s["manager_id"], 1);
  EXPECT_EQ(s["local_margin"], "1500000.25");  // the server's exact strings
  EXPECT_EQ(s["offshore_margin"], "250000.00");
  EXPECT_EQ(s["consolidated_margin"], "1750000.25");
  EXPECT_EQ(s["state"], "RECEIVED");
  EXPECT_EQ(s["methodology"], "Historical VaR 99%, 10-day horizon");
  EXPECT_TRUE(s["decision_time"].is_null());
  CliResult csv = Cli({"margin", "get", id, "-o", "csv"}, analyst_);
  ASSERT_EQ(csv.code, 0) << csv.err;
  auto rows = ParseCsv(csv.out);
  ASSERT_THAT(rows, SizeIs(2));
  ASSERT_EQ(rows[0].size(), rows[1].size());
  std::map<std::string, std::string> record;
  for (size_t c = 0; c < rows[0].size(); ++c) record[rows[0][c]] = rows[1][c];
  EXPECT_EQ(record["submission_id"], id);
  EXPECT_EQ(record["local_margin"], "1500000.25");
  EXPECT_EQ(record["methodology"], "Historical VaR 99%, 10-day horizon");
  CliResult table = Cli({"margin", "get", id}, analyst_);
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_THAT(table.out, AllOf(HasSubstr("local_margin         1,500,000.25"),
                               HasSubstr("state                RECEIVED")));
}

TEST_P(CliMarginTest, ListInEveryFormatAndEveryPage) {
  for (int i = 0; i < 3; ++i) SubmitId(101);
  SubmitId(201);
  CliResult json = Cli({"margin", "list", "--fund", "101", "-o", "json"}, analyst_);
  ASSERT_EQ(json.code, 0) << json.err;
  Json list = Json::parse(json.out);
  ASSERT_THAT(list, SizeIs(3));
  for (const Json& s : list) EXPECT_EQ(s["fund_id"], 101);
  CliResult csv = Cli({"margin", "list", "--all", "--page-size", "1", "-o", "csv"}, analyst_);
  ASSERT_EQ(csv.code, 0) << csv.err;
  auto rows = ParseCsv(csv.out);
  ASSERT_THAT(rows, SizeIs(5));
  EXPECT_EQ(rows[0][0], "submission_id");
  CliResult page = Cli({"margin", "list", "--page-size", "2", "-o", "json"}, analyst_);
  ASSERT_EQ(page.code, 0) << page.err;
  EXPECT_THAT(Json::parse(page.out), SizeIs(2));
  EXPECT_THAT(page.err, HasSubstr("--page-token"));
  CliResult table = Cli({"margin", "list", "--state", "received", "--manager", "2"}, analyst_);
  ASSERT_EQ(table.code, 0) << table.err;
  std::vector<std::string> lines = absl::StrSplit(table.out, '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_THAT(lines[0], AllOf(HasSubstr("SUBMISSION_ID"), HasSubstr("LOCAL_MARGIN")));
  EXPECT_THAT(lines[1],
              AllOf(HasSubstr("201"), HasSubstr("1,500,000.25"), HasSubstr("RECEIVED")));
}

TEST_P(CliMarginTest, ValidateAndRejectThenConflict) {
  std::string first = absl::StrCat(SubmitId(101)), second = absl::StrCat(SubmitId(101));
  CliResult validated = Cli({"margin", "validate", first, "-o", "json"}, analyst_);
  ASSERT_EQ(validated.code, 0) << validated.err;
  EXPECT_EQ(Json::parse(validated.out)["state"], "VALIDATED");
  EXPECT_EQ(Cli({"margin", "reject", second}, analyst_).code, 2);  // --reason is required
  CliResult rejected =
      Cli({"margin", "reject", second, "--reason", "offshore missing", "-o", "json"}, analyst_);
  ASSERT_EQ(rejected.code, 0) << rejected.err;
  EXPECT_EQ(Json::parse(rejected.out)["decision_reason"], "offshore missing");
  CliResult conflict = Cli({"margin", "reject", first, "--reason", "too late"}, analyst_);
  EXPECT_EQ(conflict.code, 7) << conflict.err;
  EXPECT_EQ(Cli({"margin", "validate", first}, service_).code, 5);  // SERVICE may not review
}

TEST_P(CliMarginTest, InvalidAmountExits3NamingTheField) {
  CliResult r = Submit(101, "-1");
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err,
              AllOf(HasSubstr("riskcap: invalid argument: local_margin: "), HasSubstr("-1")));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_P(CliMarginTest, NotFoundDeniedAndUnavailableExitCodes) {
  CliResult missing = Cli({"margin", "get", "999999"}, analyst_);
  EXPECT_EQ(missing.code, 4) << missing.err;
  CliResult no_token = Cli({"margin", "list"}, "");
  EXPECT_EQ(no_token.code, 5);
  EXPECT_THAT(no_token.err, HasSubstr("riskcap: unauthenticated: "));
  EXPECT_EQ(Cli({"margin", "list"}, "rk_not_a_key").code, 5);
  EXPECT_EQ(Submit(999, "1").code, 4);  // unknown fund
  CliResult down = Cli({"margin", "list"}, analyst_,
                       absl::StrCat("127.0.0.1:", riskcap::testing::FreeLoopbackPort()));
  EXPECT_EQ(down.code, 6) << down.err;
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(CliMarginTest);

}  // namespace
}  // namespace riskcap::client
