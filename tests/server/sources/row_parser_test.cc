// Feed payloads through the rows library (server/sources/row_parser.cc): all or nothing, every
// error naming the feed. The rules of the format itself are tested once, in tests/rows.
#include "server/sources/row_parser.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/common.pb.h"

namespace riskcap::server::sources {
namespace {

using ::testing::HasSubstr;
using v1::Position;

TEST(FeedRowParser, RowsOfBothFormatsBecomeMessages) {
  auto json = ParseRows<Position>(R"({"rows":[{"fund_id":1},{"fund_id":2}]})", FeedFormat::kJson,
                                  "t");
  ASSERT_TRUE(json.ok()) << json.status();
  ASSERT_EQ(json->size(), 2u);
  EXPECT_EQ((*json)[1].fund_id(), 2);
  auto csv = ParseRows<Position>("fund_id,classification\n3,otc_swap\n", FeedFormat::kCsv, "t");
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ((*csv)[0].classification(), v1::POSITION_CLASSIFICATION_OTC_SWAP);
}

TEST(FeedRowParser, TheFirstBadRowRefusesThePayloadNamingFeedRowAndField) {
  auto unknown = ParseRows<Position>(R"({"rows":[{"fund_id":1},{"colour":"red"},{"x":1}]})",
                                     FeedFormat::kJson, "feed");
  EXPECT_TRUE(absl::IsInvalidArgument(unknown.status()));
  EXPECT_THAT(unknown.status().message(),
              HasSubstr("feed: rows[1]: unknown field 'colour'; nothing applied"));
  auto bad = ParseRows<Position>("fund_id,isin\n1,a\nx1,b\n", FeedFormat::kCsv, "funds.csv");
  EXPECT_THAT(bad.status().message(),
              HasSubstr("funds.csv: rows[1].fund_id: must be an integer, got 'x1'"));
  auto malformed = ParseRows<Position>(R"({"rows":[{"fund_id":1})", FeedFormat::kJson, "feed");
  EXPECT_THAT(malformed.status().message(), HasSubstr("feed: not valid JSON"));
}

TEST(FeedRowParser, ABrokenLimitKeepsItsCodeForTheQuarantine) {
  FeedLimits limits;
  limits.max_rows = 1;
  auto rows = ParseRows<Position>(R"({"rows":[{},{}]})", FeedFormat::kJson, "feed", limits);
  EXPECT_EQ(rows::LimitCode(rows.status()), rows::kTooManyRows) << rows.status();
  EXPECT_THAT(rows.status().message(), HasSubstr("feed: more than 1 rows"));
  auto latin1 = ParseRows<Position>("fund_id,asset_nickname\n1,A\xe7\n", FeedFormat::kCsv, "f");
  EXPECT_EQ(rows::LimitCode(latin1.status()), rows::kInvalidUtf8) << latin1.status();
}

}  // namespace
}  // namespace riskcap::server::sources
