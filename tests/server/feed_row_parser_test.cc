// Feed payload parsing (server/sources/row_parser.cc): JSON and CSV into riskcap.v1 rows.
#include "server/sources/row_parser.h"

#include "absl/strings/match.h"
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

}  // namespace
}  // namespace riskcap::server::sources
