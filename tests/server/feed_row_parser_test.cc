// Feed payload parsing (server/sources/row_parser.cc): JSON and CSV into riskcap.v1 rows.
#include "server/sources/row_parser.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "riskcap/v1/common.pb.h"

namespace riskcap::server::sources {
namespace {

using v1::Position;

TEST(FeedRowParser, JsonRowsWithEscapesWrappersEnumsAndCamelCase) {
  auto rows = ParseRows<Position>(
      R"({"note": {"x": [1, 2]}, "rows": [
        {"fund_id": "7", "asset_nickname": "A \"q\" \u00e9\ud83d\ude00", "classification": "OTC_OPTION",
         "strike": 12.5, "positionDate": "2026-11-20", "direction": null},
        {"fund_id": 8, "classification": "POSITION_CLASSIFICATION_OTC_SWAP", "strike": {"value": 3}}
      ]})",
      FeedFormat::kJson, "t");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].fund_id(), 7);
  EXPECT_EQ((*rows)[0].asset_nickname(), "A \"q\" \xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ((*rows)[0].classification(), v1::POSITION_CLASSIFICATION_OTC_OPTION);
  EXPECT_DOUBLE_EQ((*rows)[0].strike().value(), 12.5);
  EXPECT_EQ((*rows)[0].position_date(), "2026-11-20");
  EXPECT_EQ((*rows)[1].classification(), v1::POSITION_CLASSIFICATION_OTC_SWAP);
}

TEST(FeedRowParser, TruncatedOrMalformedJsonIsRejectedWhole) {
  const std::string good = R"({"rows":[{"fund_id":1},{"fund_id":2}]})";
  for (size_t cut = 1; cut < good.size(); ++cut) {
    auto rows = ParseRows<Position>(good.substr(0, cut), FeedFormat::kJson, "t");
    EXPECT_TRUE(absl::IsInvalidArgument(rows.status())) << cut;
  }
  EXPECT_TRUE(absl::StrContains(
      ParseRows<Position>(R"({"rows":[{"fund_id":1})", FeedFormat::kJson, "t").status().message(),
      "not valid JSON"));
  EXPECT_FALSE(ParseRows<Position>(R"({"rows":[{"fund_id":1}]} x)", FeedFormat::kJson, "t").ok());
  EXPECT_FALSE(ParseRows<Position>(R"({"data":[]})", FeedFormat::kJson, "t").ok());
}

TEST(FeedRowParser, BadValuesNameTheRowAndField) {
  auto unknown = ParseRows<Position>(R"({"rows":[{"fund_id":1},{"colour":"red"}]})",
                                     FeedFormat::kJson, "feed");
  EXPECT_TRUE(absl::StrContains(unknown.status().message(), "feed: rows[1]: unknown field 'colour'"))
      << unknown.status();
  auto bad = ParseRows<Position>(R"({"rows":[{"fund_id":"x1"}]})", FeedFormat::kJson, "feed");
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "rows[0].fund_id")) << bad.status();
}

TEST(FeedRowParser, CsvWithQuotesEmptyCellsAndShortEnumNames) {
  auto rows = ParseRows<Position>(
      "fund_id,asset_nickname,classification,strike\r\n"
      "1,\"a, \"\"b\"\"\",OTC_SWAP,\r\n"
      "2,c,POSITION_CLASSIFICATION_OFFSHORE_FUND,1.5\r\n",
      FeedFormat::kCsv, "t");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].asset_nickname(), "a, \"b\"");
  EXPECT_EQ((*rows)[0].classification(), v1::POSITION_CLASSIFICATION_OTC_SWAP);
  EXPECT_FALSE((*rows)[0].has_strike());
  EXPECT_DOUBLE_EQ((*rows)[1].strike().value(), 1.5);
  auto ragged = ParseRows<Position>("fund_id,isin\n1\n", FeedFormat::kCsv, "t");
  EXPECT_TRUE(absl::StrContains(ragged.status().message(), "rows[0]: has 1 cells")) << ragged.status();
  EXPECT_FALSE(ParseRows<Position>("fund_id,isin\n1,\"BR", FeedFormat::kCsv, "t").ok());
  EXPECT_FALSE(ParseRows<Position>("fund_id,colour\n1,red\n", FeedFormat::kCsv, "t").ok());
}

// The limit a status broke ("" for none), and that its message says `what`.
std::string LimitOf(const absl::Status& status) { return FeedLimitCode(status).value_or(""); }

std::string Nested(int depth) {
  return absl::StrCat("{\"rows\":[{\"fund_id\":1,\"x\":", std::string(depth, '['),
                      std::string(depth, ']'), "}]}");
}

TEST(FeedRowParserLimits, JsonNestedBeyond64LevelsIsRefusedWithoutRecursion) {
  // The envelope and the row take 3 levels: 61 more is the most a row may nest.
  auto deepest = ParseRows<Position>(Nested(61), FeedFormat::kJson, "t");
  EXPECT_FALSE(LimitOf(deepest.status()) == kTooDeep) << deepest.status();
  for (int depth : {62, 1000, 100000, 1000000}) {
    auto rows = ParseRows<Position>(Nested(depth), FeedFormat::kJson, "feed");
    EXPECT_EQ(LimitOf(rows.status()), kTooDeep) << depth << ": " << rows.status();
    EXPECT_TRUE(absl::StrContains(rows.status().message(), "feed: rows[0].x[0]")) << rows.status();
    EXPECT_TRUE(absl::StrContains(rows.status().message(), "more than 64 levels"));
  }
  // Outside the rows too, in objects as in arrays.
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  auto top = ParseRows<Position>(absl::StrCat("{\"rows\":[],\"meta\":", objects),
                                 FeedFormat::kJson, "t");
  EXPECT_EQ(LimitOf(top.status()), kTooDeep) << top.status();
}

TEST(FeedRowParserLimits, NestedRowsWithinTheLimitStillParse) {
  auto rows = ParseRows<Position>(R"({"meta":{"a":[[{"b":[]}],{}]},"rows":[{"fund_id":3,)"
                                  R"("strike":{"value":2.5}}]})",
                                  FeedFormat::kJson, "t");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_DOUBLE_EQ((*rows)[0].strike().value(), 2.5);
  // Empty rows and an empty rows array close their containers.
  auto empty = ParseRows<Position>(R"({"rows":[],"after":{}})", FeedFormat::kJson, "t");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());
  auto blank = ParseRows<Position>(R"({"rows":[{},{"fund_id":2}],"n":1})", FeedFormat::kJson, "t");
  ASSERT_TRUE(blank.ok()) << blank.status();
  EXPECT_EQ(blank->size(), 2u);
}

TEST(FeedRowParserLimits, RowCountIsLimited) {
  FeedLimits limits;
  limits.max_rows = 2;
  const std::string two = R"({"rows":[{"fund_id":1},{"fund_id":2}]})";
  EXPECT_TRUE(ParseRows<Position>(two, FeedFormat::kJson, "t", limits).ok());
  auto three = ParseRows<Position>(R"({"rows":[{"fund_id":1},{"fund_id":2},{"fund_id":3}]})",
                                   FeedFormat::kJson, "t", limits);
  EXPECT_EQ(LimitOf(three.status()), kTooManyRows) << three.status();
  EXPECT_TRUE(absl::StrContains(three.status().message(), "more than 2 rows")) << three.status();
  EXPECT_TRUE(ParseRows<Position>("fund_id\n1\n\n2\n", FeedFormat::kCsv, "t", limits).ok());
  auto csv = ParseRows<Position>("fund_id\n1\n2\n3\n", FeedFormat::kCsv, "t", limits);
  EXPECT_EQ(LimitOf(csv.status()), kTooManyRows) << csv.status();
}

TEST(FeedRowParserLimits, FieldLengthIsLimitedAndNamesTheRowAndField) {
  FeedLimits limits;
  limits.max_field_bytes = 8;
  EXPECT_TRUE(ParseRows<Position>(R"({"rows":[{"isin":"12345678"}]})", FeedFormat::kJson, "t",
                                  limits).ok());
  auto json = ParseRows<Position>(R"({"rows":[{"isin":"1"},{"isin":"123456789"}]})",
                                  FeedFormat::kJson, "feed", limits);
  EXPECT_EQ(LimitOf(json.status()), kFieldTooLong) << json.status();
  EXPECT_TRUE(absl::StrContains(json.status().message(), "feed: rows[1].isin: a value longer "
                                                         "than 8 bytes")) << json.status();
  auto number = ParseRows<Position>(R"({"rows":[{"fund_id":1234567890}]})", FeedFormat::kJson,
                                    "t", limits);
  EXPECT_EQ(LimitOf(number.status()), kFieldTooLong) << number.status();
  auto key = ParseRows<Position>(R"({"rows":[{"a_very_long_name":1}]})", FeedFormat::kJson, "t",
                                 limits);
  EXPECT_EQ(LimitOf(key.status()), kFieldTooLong) << key.status();
  auto csv = ParseRows<Position>("fund_id,isin\n1,\"123456789\"\n", FeedFormat::kCsv, "feed",
                                 limits);
  EXPECT_EQ(LimitOf(csv.status()), kFieldTooLong) << csv.status();
  EXPECT_TRUE(absl::StrContains(csv.status().message(), "feed: rows[0].isin (line 2)"))
      << csv.status();
  // The default: 64 KiB; a 10 MB cell is refused, not buffered.
  auto huge = ParseRows<Position>(absl::StrCat("fund_id,isin\n1,", std::string(10 << 20, 'x')),
                                  FeedFormat::kCsv, "t");
  EXPECT_EQ(LimitOf(huge.status()), kFieldTooLong) << huge.status();
}

TEST(FeedRowParserLimits, TextThatIsNotUtf8IsRefusedNamingRowAndColumn) {
  auto csv = ParseRows<Position>("fund_id,asset_nickname\n1,ok\n2,A\xe7\xf5" "es\n",
                                 FeedFormat::kCsv, "funds.csv");
  EXPECT_EQ(LimitOf(csv.status()), kInvalidUtf8) << csv.status();
  EXPECT_TRUE(absl::StrContains(csv.status().message(),
                                "funds.csv: rows[1].asset_nickname (line 3): invalid UTF-8 "
                                "(byte 0xE7 at byte 1 of the value)"))
      << csv.status();
  auto json = ParseRows<Position>("{\"rows\":[{\"asset_nickname\":\"A\xe7\xf5" "es\"}]}",
                                  FeedFormat::kJson, "t");
  EXPECT_EQ(LimitOf(json.status()), kInvalidUtf8) << json.status();
  EXPECT_TRUE(absl::StrContains(json.status().message(), "rows[0].asset_nickname: invalid UTF-8"))
      << json.status();
  // In a member name, in a skipped value, overlong and surrogate forms: all refused.
  for (const std::string bad : {"{\"rows\":[{\"\xff\":1}]}",
                                "{\"n\":\"\xc0\xaf\",\"rows\":[]}",
                                "{\"rows\":[],\"n\":\"\xed\xa0\x80\"}"}) {
    EXPECT_EQ(LimitOf(ParseRows<Position>(bad, FeedFormat::kJson, "t").status()), kInvalidUtf8)
        << bad;
  }
  EXPECT_EQ(LimitOf(ParseRows<Position>("fund_id,\xe7\n1,2\n", FeedFormat::kCsv, "t").status()),
            kInvalidUtf8);
  // A lone surrogate escape would decode to ill-formed UTF-8: a syntax error.
  auto lone = ParseRows<Position>(R"({"rows":[{"isin":"\udc00"}]})", FeedFormat::kJson, "t");
  EXPECT_TRUE(absl::IsInvalidArgument(lone.status()));
  EXPECT_TRUE(absl::StrContains(lone.status().message(), "unpaired surrogate")) << lone.status();
}

TEST(FeedRowParserLimits, ByteOrderMarkIsSkippedAndOtherErrorsCarryNoLimit) {
  auto csv = ParseRows<Position>("\xEF\xBB\xBF" "fund_id\n4\n", FeedFormat::kCsv, "t");
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ((*csv)[0].fund_id(), 4);
  auto json =
      ParseRows<Position>("\xEF\xBB\xBF{\"rows\":[{\"fund_id\":5}]}", FeedFormat::kJson, "t");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(LimitOf(ParseRows<Position>(R"({"rows":[)", FeedFormat::kJson, "t").status()), "");
  EXPECT_FALSE(ParseRows<Position>(R"({"rows":[{"fund_id":tru}]})", FeedFormat::kJson, "t").ok());
}

}  // namespace
}  // namespace riskcap::server::sources
