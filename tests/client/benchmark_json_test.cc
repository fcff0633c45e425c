// Tests for client/benchmark_json.{h,cc}: the calc file format and its field-level errors.
#include "client/benchmark_json.h"

#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "core/utf8.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap::client {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

Json Swaption() {
  return Json::parse(R"({"netting_sets": [{"id": "NS1", "trades": [{"id": "T3",
      "asset_class": "IR", "hedging_key": "EUR", "notional": 5000, "start_years": 1,
      "end_years": 11, "maturity_years": 11, "mtm": 50, "option": {"type": "PUT",
      "bought": true, "expiry_years": 1, "strike": 0.05, "underlying_price": 0.06}}]}]})");
}

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(status)) fields.push_back(v.field);
  return fields;
}

TEST(BenchmarkRequestFromJson, MapsNamesAndDefaults) {
  auto request = BenchmarkRequestFromJson(Swaption(), CalcMethod::kSaccr);
  ASSERT_TRUE(request.ok()) << request.status();
  const v1::BenchmarkNettingSet& set = request->netting_sets(0);
  EXPECT_EQ(set.mpor_days(), 10);
  EXPECT_FALSE(set.margined());
  const v1::BenchmarkTrade& trade = set.trades(0);
  EXPECT_EQ(trade.asset_class(), v1::BENCHMARK_ASSET_CLASS_IR);
  EXPECT_EQ(trade.direction(), v1::TRADE_DIRECTION_UNSPECIFIED);
  EXPECT_EQ(trade.option().type(), v1::OPTION_TYPE_PUT);
  EXPECT_TRUE(trade.option().bought());
  EXPECT_EQ(trade.option().underlying_price(), 0.06);
  EXPECT_EQ(trade.rating(), v1::CREDIT_RATING_UNSPECIFIED);
}

TEST(BenchmarkRequestFromJson, ReportsEveryBadMemberAtItsPath) {
  Json input = Swaption();
  Json& trade = input["netting_sets"][0]["trades"][0];
  trade["asset_class"] = "CREDIT";
  trade["rating"] = "AAA+";
  trade.erase("end_years");  // required for credit
  trade["option"]["type"] = 1;
  trade["maturity"] = 3;
  input["netting_sets"][0]["mpor_days"] = 10.5;
  absl::Status status = BenchmarkRequestFromJson(input, CalcMethod::kSaccr).status();
  EXPECT_THAT(Fields(status), UnorderedElementsAre("netting_sets[0].trades[0].maturity",
                                                   "netting_sets[0].trades[0].end_years",
                                                   "netting_sets[0].trades[0].option.type",
                                                   "netting_sets[0].trades[0].rating",
                                                   "netting_sets[0].mpor_days"));
  EXPECT_THAT(FieldViolationsOf(status),
              testing::Contains(Field(&FieldViolation::description,
                                      "netting set NS1 trade T3: option.type must be a string, "
                                      "got 1")));
}

// A long bad value is shown cut short; the cut never splits a character, so the message stays
// valid UTF-8 (proto3 refuses anything else). Found by the calc_input fuzzer.
TEST(BenchmarkRequestFromText, CutsALongBadValueAtACharacterBoundary) {
  // The dump is '"' + 38 'u' + U+05C2 (2 bytes) + ...: byte 40 falls inside the character.
  const std::string text = "\"" + std::string(38, 'u') + "\xd7\x82ts\"";
  absl::Status status =
      BenchmarkRequestFromText(text, "in.json", CalcMethod::kSaccr).status();
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(IsValidUtf8(StdView(status.message()))) << status;
  EXPECT_THAT(FieldViolationsOf(status),
              ElementsAre(Field(&FieldViolation::description,
                                "input: must be a JSON object, got \"" + std::string(38, 'u') +
                                    "...")));
}

TEST(BenchmarkRequestFromJson, NamesUnnamedSetsAndTradesByPosition) {
  Json input = {{"netting_sets", {{{"trades", {Json::object()}}}}}};
  absl::Status status = BenchmarkRequestFromJson(input, CalcMethod::kSaccr).status();
  EXPECT_THAT(Fields(status), testing::Contains("netting_sets[0].id"));
  EXPECT_THAT(status.message(), HasSubstr("netting set #1 trade #1: asset_class is required"));
  EXPECT_THAT(Fields(BenchmarkRequestFromJson(Json::array(), CalcMethod::kSaccr).status()),
              ElementsAre(""));
  EXPECT_THAT(Fields(BenchmarkRequestFromJson(Json::object(), CalcMethod::kSaccr).status()),
              ElementsAre("netting_sets"));
}

// The schedule buckets by maturity_years alone (docs/risk-methods.md): an IR or credit trade
// without end_years is complete for it, and incomplete for SA-CCR.
TEST(BenchmarkRequestFromJson, EndYearsRequiredForSaccrOnly) {
  for (const char* asset_class : {"IR", "CREDIT"}) {
    Json input = Swaption();
    Json& trade = input["netting_sets"][0]["trades"][0];
    trade["asset_class"] = asset_class;
    trade["rating"] = "AA";
    trade.erase("end_years");
    trade.erase("option");
    trade.erase("hedging_key");
    trade.erase("start_years");
    auto schedule = BenchmarkRequestFromJson(input, CalcMethod::kImSchedule);
    EXPECT_TRUE(schedule.ok()) << asset_class << ": " << schedule.status();
    EXPECT_THAT(Fields(BenchmarkRequestFromJson(input, CalcMethod::kSaccr).status()),
                ElementsAre("netting_sets[0].trades[0].end_years"))
        << asset_class;
  }
}

TEST(RequireSaccrAssetClasses, RejectsOtherTrades) {
  Json input = Swaption();
  input["netting_sets"][0]["trades"][0]["asset_class"] = "OTHER";
  auto request = BenchmarkRequestFromJson(input, CalcMethod::kSaccr);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(Fields(RequireSaccrAssetClasses(*request)),
              ElementsAre("netting_sets[0].trades[0].asset_class"));
}

TEST(SaccrToJson, NullFiguresWhenTheServerGaveNoSaccr) {
  v1::CalculateBenchmarkResponse response;
  response.add_netting_sets()->set_id("X");
  Json json = SaccrToJson(response);
  EXPECT_EQ(json["netting_sets"][0]["id"], "X");
  EXPECT_TRUE(json["netting_sets"][0]["ead"].is_null());
  EXPECT_TRUE(json["netting_sets"][0]["addon"]["IR"].is_null());
}

}  // namespace
}  // namespace riskcap::client
