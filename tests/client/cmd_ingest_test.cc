// riskcap ingest and the snapshot reads (positions, nav, exposure) end to end, on both backends:
// CSV and JSON files uploaded through IngestService read back through SnapshotService.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "tests/client/cli_harness.h"
#include "tests/testing/test_store.h"

namespace riskcap::client::cli_testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using Json = nlohmann::json;

// Fund 101: an OTC swap (quoted name with a comma, enums by full and short name, wrappers) and an
// offshore fund; fund 201: an offshore fund.
constexpr char kPositionsCsv[] =
    "fund_id,position_date,asset_nickname,isin,asset_code,asset_type_code,classification,"
    "quantity,price,notional,market_value,asset_leg_balance,liability_leg_balance,"
    "otc_asset_class,start_date,end_date,direction,strike,underlying_price,currency\r\n"
    "101,2026-11-19,\"SWAP DI x USD, 2027\",,SW1,SWAP,POSITION_CLASSIFICATION_OTC_SWAP,1.00,"
    "2500.50,10000000.00,1234.56,5000000.123456,-4999000.00,fx,2026-01-02,2027-01-04,LONG,5.25,"
    "5.4321,USD\r\n"
    "101,2026-11-19,Global Macro Feeder,KYG000000001,OFF1,FUND,offshore_fund,-12.50,100.00,0.00,"
    "-1250.00,,,,,,,,,\r\n"
    "201,2026-11-19,Feeder B,KYG000000002,OFF2,FUND,OFFSHORE_FUND,3.00,10.00,0.00,30.00,,,,,,,,,"
    "\r\n";

class CliIngestTest : public CliHarness {
 protected:
  Json PositionsOf(int64_t fund) {
    CliResult r = Cli({"positions", "list", "--fund", absl::StrCat(fund), "-o", "json"}, analyst_);
    EXPECT_EQ(r.code, 0) << r.err;
    return r.code == 0 ? Json::parse(r.out) : Json::array();
  }
};

TEST_P(CliIngestTest, PositionsCsvRoundTripsThroughPositionsList) {
  std::string path = WriteFile("positions-2026-11-20.csv", kPositionsCsv);
  CliResult up = Cli({"ingest", "positions", path, "--date", "2026-11-20", "-o", "json"}, service_);
  ASSERT_EQ(up.code, 0) << up.err;
  Json load = Json::parse(up.out);
  EXPECT_EQ(load["reference_date"], "2026-11-20");
  EXPECT_EQ(load["version"], 1);
  EXPECT_EQ(load["row_count"], 3);
  EXPECT_EQ(load["replayed"], false);
  EXPECT_THAT(load["content_hash"].get<std::string>(), SizeIs(64));

  Json positions = PositionsOf(101);
  ASSERT_THAT(positions, SizeIs(2));  // in the batch's canonical order: "Global..." < "SWAP..."
  const Json& swap = positions[1];
  EXPECT_EQ(swap["asset_nickname"], "SWAP DI x USD, 2027");
  EXPECT_EQ(swap["classification"], "OTC_SWAP");
  EXPECT_EQ(swap["market_value"], "1234.56");
  EXPECT_EQ(swap["asset_leg_balance"], "5000000.123456");
  EXPECT_EQ(swap["otc_asset_class"], "FX");
  EXPECT_EQ(swap["direction"], "LONG");
  EXPECT_DOUBLE_EQ(swap["strike"].get<double>(), 5.25);
  EXPECT_EQ(swap["currency"], "USD");
  EXPECT_EQ(positions[0]["classification"], "OFFSHORE_FUND");
  EXPECT_EQ(positions[0]["quantity"], "-12.50");
  EXPECT_TRUE(positions[0]["strike"].is_null());

  CliResult csv = Cli({"positions", "list", "--fund", "201", "-o", "csv"}, analyst_);
  ASSERT_EQ(csv.code, 0) << csv.err;
  auto rows = CsvRecords(csv.out);
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0]["asset_code"], "OFF2");
  EXPECT_EQ(rows[0]["market_value"], "30.00");
  CliResult table = Cli({"positions", "list", "--fund", "101"}, analyst_);
  ASSERT_EQ(table.code, 0) << table.err;
  std::vector<std::string> lines = absl::StrSplit(table.out, '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(3));
  EXPECT_THAT(lines[0], AllOf(HasSubstr("ASSET_NICKNAME"), HasSubstr("MARKET_VALUE")));
  EXPECT_THAT(lines[2], AllOf(HasSubstr("SWAP DI x USD, 2027"), HasSubstr("1,234.56")));

  // The same file under the same request id replays the load.
  CliResult first = Cli(
      {"ingest", "positions", path, "--date", "2026-11-20", "--request-id", "pos-1", "-o", "json"},
      service_);
  ASSERT_EQ(first.code, 0) << first.err;
  CliResult replay = Cli(
      {"ingest", "positions", path, "--date", "2026-11-20", "--request-id", "pos-1", "-o", "json"},
      service_);
  ASSERT_EQ(replay.code, 0) << replay.err;
  EXPECT_EQ(Json::parse(replay.out)["replayed"], true);
  EXPECT_EQ(Json::parse(replay.out)["load_id"], Json::parse(first.out)["load_id"]);
}

TEST_P(CliIngestTest, PositionsJsonRoundTripsThroughPositionsList) {
  Json file = {{"rows",
                {{{"fund_id", "101"},
                  {"position_date", "2026-11-19"},
                  {"asset_nickname", "Call USD"},
                  {"asset_code", "OPT1"},
                  {"asset_type_code", "OPT"},
                  {"classification", "POSITION_CLASSIFICATION_OTC_OPTION"},
                  {"quantity", "100.00"},
                  {"price", "1.50"},
                  {"notional", "500000.00"},
                  {"market_value", "150.00"},
                  {"otc_asset_class", "OTC_ASSET_CLASS_FX"},
                  {"option_type", "OPTION_TYPE_CALL"},
                  {"strike", 5.1},
                  {"underlying_price", 5.3},
                  {"end_date", "2027-03-01"},
                  {"currency", "USD"}}}}};
  std::string path = WriteFile("positions.json", file.dump());
  CliResult up = Cli({"ingest", "positions", path, "--date", "2026-11-20"}, service_);
  ASSERT_EQ(up.code, 0) << up.err;
  EXPECT_THAT(up.out, AllOf(HasSubstr("row_count"), HasSubstr("load_id")));
  Json positions = PositionsOf(101);
  ASSERT_THAT(positions, SizeIs(1));
  EXPECT_EQ(positions[0]["classification"], "OTC_OPTION");
  EXPECT_EQ(positions[0]["option_type"], "CALL");
  EXPECT_DOUBLE_EQ(positions[0]["underlying_price"].get<double>(), 5.3);
  EXPECT_EQ(positions[0]["market_value"], "150.00");
}

TEST_P(CliIngestTest, NavSnapshotAndHistoryReadBack) {
  std::string nav = WriteFile("nav.csv",
                              "fund_id,position_date,nav,exchange_margin_pct,var_99\n"
                              "101,2026-11-19,10000000.50,0.12,0.034\n"
                              "201,2026-11-19,2500000.00,0,0\n");
  ASSERT_EQ(Cli({"ingest", "nav", nav, "--date", "2026-11-20"}, service_).code, 0);
  CliResult got = Cli({"nav", "get", "--fund", "101", "-o", "json"}, analyst_);
  ASSERT_EQ(got.code, 0) << got.err;
  Json snapshot = Json::parse(got.out);
  EXPECT_EQ(snapshot["nav"], "10000000.50");
  EXPECT_EQ(snapshot["reference_date"], "2026-11-20");
  EXPECT_DOUBLE_EQ(snapshot["exchange_margin_pct"].get<double>(), 0.12);
  CliResult versioned =
      Cli({"nav", "get", "--fund", "201", "--date", "2026-11-20", "--version", "1"}, analyst_);
  ASSERT_EQ(versioned.code, 0) << versioned.err;
  EXPECT_THAT(versioned.out, HasSubstr("2,500,000.00"));
  EXPECT_EQ(
      Cli({"nav", "get", "--fund", "201", "--date", "2026-11-20", "--version", "2"}, analyst_).code,
      4);

  std::string history = WriteFile("history.csv",
                                  "fund_id,nav_date,opening_nav,closing_nav\n"
                                  "101,2026-11-17,100.00,101.00\n"
                                  "101,2026-11-18,101.00,99.500001\n"
                                  "101,2026-11-19,99.50,100.00\n");
  CliResult up = Cli({"ingest", "nav-history", history, "--date", "2026-11-20"}, service_);
  ASSERT_EQ(up.code, 0) << up.err;
  CliResult listed = Cli({"nav", "history", "--fund", "101", "--from", "2026-11-18", "--to",
                          "2026-11-19", "-o", "csv"},
                         analyst_);
  ASSERT_EQ(listed.code, 0) << listed.err;
  auto rows = CsvRecords(listed.out);
  ASSERT_THAT(rows, SizeIs(2));
  EXPECT_EQ(rows[0]["nav_date"], "2026-11-18");
  EXPECT_EQ(rows[0]["closing_nav"], "99.500001");
  EXPECT_EQ(rows[1]["nav_date"], "2026-11-19");
}

TEST_P(CliIngestTest, BadRowsAndMissingDataExitWithTheirCodes) {
  std::string bad = WriteFile("bad.csv",
                              "fund_id,position_date,classification,market_value\n"
                              "101,2026-11-19,OTC_SWAP,1.00\n"
                              "101,2026-11-19,NOT_A_CLASS,1.00\n");
  CliResult local = Cli({"ingest", "positions", bad, "--date", "2026-11-20"}, service_);
  EXPECT_EQ(local.code, 3);
  EXPECT_THAT(local.err, AllOf(HasSubstr("rows[1].classification"), HasSubstr("NOT_A_CLASS")));
  std::string unknown =
      WriteFile("unknown.csv",
                "fund_id,position_date,classification,quantity,price,notional,market_value\n"
                "999,2026-11-19,OTC_SWAP,1.00,1.00,1.00,1.00\n");
  CliResult server = Cli({"ingest", "positions", unknown, "--date", "2026-11-20"}, service_);
  EXPECT_EQ(server.code, 3);
  EXPECT_THAT(server.err, HasSubstr("rows[0].fund_id"));
  EXPECT_EQ(Cli({"positions", "list", "--fund", "101"}, analyst_).code, 4);  // nothing applied
  EXPECT_EQ(Cli({"exposure", "get", "--fund", "101"}, analyst_).code, 4);
  EXPECT_EQ(Cli({"ingest", "positions", unknown}, analyst_).code, 5);  // ANALYST may not upload
  EXPECT_EQ(Cli({"positions", "list"}, analyst_).code, 2);             // --fund is required
}

TEST_P(CliIngestTest, AJsonFileOverTheByteLimitIsRefusedBeforeItIsRead) {
  // Sparse: the file is one byte past the limit without those bytes being written; zeros after
  // the JSON would be refused as malformed, so the message shows the file went unread.
  std::string big = WriteFile("big.json", R"({"rows": []})");
  std::filesystem::resize_file(big, (std::uintmax_t{256} << 20) + 1);
  CliResult r = Cli({"ingest", "positions", big, "--date", "2026-11-20"}, service_);
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, AllOf(HasSubstr("big.json"),
                           HasSubstr("holds 268435457 bytes, more than the 268435456")));
  std::filesystem::remove(big);
  EXPECT_EQ(Cli({"positions", "list", "--fund", "101"}, analyst_).code, 4);  // nothing applied
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(CliIngestTest);

}  // namespace
}  // namespace riskcap::client::cli_testing
