// Data files into messages (protos/rows/row_reader.cc, json_rows.cc, csv_rows.cc): every rule of
// docs/sources.md "Data files", once, for the client's files and the server's feeds alike.
#include "protos/rows/row_reader.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "core/utf8.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/common.pb.h"
#include "riskcap/v1/margin.pb.h"

namespace riskcap::rows {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using v1::Position;

struct Read {
  std::vector<Position> rows;
  std::vector<absl::Status> statuses;  // one per row
};

// Every row of `text` (the reading goes on past bad rows, as the client's sink does).
absl::StatusOr<Read> Parse(std::string_view text, RowFormat format, const RowLimits& limits = {}) {
  Read read;
  RowSink sink{[&read]() -> google::protobuf::Message* { return &read.rows.emplace_back(); },
               [&read](int64_t index, const absl::Status& status, google::protobuf::Message&) {
                 EXPECT_EQ(index, static_cast<int64_t>(read.statuses.size()));
                 read.statuses.push_back(status);
                 return absl::OkStatus();
               },
               Position::descriptor()};
  absl::Status status = ReadRows(text, format, limits, sink);
  if (!status.ok()) return status;
  return read;
}
absl::StatusOr<Read> Json(std::string_view text, const RowLimits& limits = {}) {
  return Parse(text, RowFormat::kJson, limits);
}
absl::StatusOr<Read> Csv(std::string_view text, const RowLimits& limits = {}) {
  return Parse(text, RowFormat::kCsv, limits);
}

// The limit a status broke ("" for none).
std::string LimitOf(const absl::Status& status) { return LimitCode(status).value_or(""); }

TEST(JsonRows, ScalarsEscapesWrappersEnumsAndCamelCase) {
  auto read = Json(R"({"note": {"x": [1, 2]}, "rows": [
      {"fund_id": "7", "asset_nickname": "A \"q\" \u00e9\ud83d\ude00",
       "classification": "otc_option", "strike": 12.5, "positionDate": "2026-11-20",
       "direction": null, "market_value": 1234567890.123456789, "quantity": -3},
      {"fund_id": 8, "classification": "POSITION_CLASSIFICATION_OTC_SWAP", "strike": {"value": 3}}
    ]})");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->rows.size(), 2u);
  EXPECT_TRUE(read->statuses[0].ok()) << read->statuses[0];
  const Position& first = read->rows[0];
  EXPECT_EQ(first.fund_id(), 7);
  EXPECT_EQ(first.asset_nickname(), "A \"q\" \xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(first.classification(), v1::POSITION_CLASSIFICATION_OTC_OPTION);
  EXPECT_DOUBLE_EQ(first.strike().value(), 12.5);
  EXPECT_EQ(first.position_date(), "2026-11-20");
  EXPECT_EQ(first.market_value(), "1234567890.123456789");  // every digit as written
  EXPECT_EQ(first.quantity(), "-3");
  EXPECT_TRUE(read->statuses[1].ok()) << read->statuses[1];
  EXPECT_EQ(read->rows[1].classification(), v1::POSITION_CLASSIFICATION_OTC_SWAP);
  EXPECT_DOUBLE_EQ(read->rows[1].strike().value(), 3);
}

TEST(JsonRows, TruncatedOrMalformedJsonIsRefused) {
  const std::string good = R"({"rows":[{"fund_id":1},{"fund_id":2}]})";
  for (size_t cut = 0; cut < good.size(); ++cut) {
    EXPECT_TRUE(absl::IsInvalidArgument(Json(good.substr(0, cut)).status())) << cut;
  }
  EXPECT_THAT(Json(R"({"rows":[{"fund_id":1})").status().message(), HasSubstr("not valid JSON"));
  for (const char* bad : {R"({"rows":[]} x)", R"({"rows":[{"isin":"\q"}]})",
                          R"({"rows":[{"isin":"\udc00"}]})", R"({"rows":[{"fund_id":tru}]})",
                          R"({"rows":[{"strike":1e999}]})"}) {
    EXPECT_THAT(Json(bad).status().message(), HasSubstr("not valid JSON")) << bad;
  }
  EXPECT_THAT(Json(R"({"data":[]})").status().message(), HasSubstr("no \"rows\" array"));
  for (const char* shape : {"[]", "3", R"({"rows":{}})", R"({"rows":3})"}) {
    EXPECT_THAT(Json(shape).status().message(), HasSubstr("whose \"rows\" is an array")) << shape;
  }
  EXPECT_THAT(Json(R"({"rows":[],"rows":[]})").status().message(),
              HasSubstr("more than one \"rows\""));
}

TEST(JsonRows, AMemberTheRowsDoNotUseIsValidatedAsStrictly) {
  // Outside the rows, in an unknown row member, inside a nested member: each would be skipped.
  for (const char* bad : {R"({"x": tru, "rows": []})", R"({"rows": [], "x": [1, nul]})",
                          R"({"meta": {"a": "\q"}, "rows": []})", R"({"x": 01, "rows": []})",
                          R"({"rows": [{"bogus": [fals]}]})",
                          R"({"rows": [{"strike": {"value": 1e999}}]})"}) {
    auto read = Json(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(read.status())) << bad;
    EXPECT_THAT(read.status().message(), HasSubstr("not valid JSON")) << bad;
  }
}

TEST(JsonRows, TextAfterTheDocumentIsRefusedAndWhitespaceIsNot) {
  for (const char* bad : {R"({"rows":[]}})", R"({"rows":[]}])", R"({"rows":[]} {})",
                          R"({"rows":[]},)", R"({"rows":[]} "x")", R"({"rows":[]} 1)"}) {
    EXPECT_THAT(Json(bad).status().message(), HasSubstr("not valid JSON")) << bad;
  }
  EXPECT_TRUE(Json("{\"rows\":[]} \r\n\t ").ok());
}

TEST(JsonRows, WideIntegersKeepTheirDigitsAndMinusZeroIsZero) {
  auto read = Json(R"({"rows":[{"market_value": 123456789012345678901234, "quantity": -0,
                                "notional": -0.0}]})");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->statuses[0].ok()) << read->statuses[0];
  EXPECT_EQ(read->rows[0].market_value(), "123456789012345678901234");
  EXPECT_EQ(read->rows[0].quantity(), "0");
  EXPECT_EQ(read->rows[0].notional(), "-0.0");
  // An integer no double holds is refused as 1e999 is.
  EXPECT_THAT(Json(absl::StrCat("{\"rows\":[{\"market_value\":", std::string(400, '9'), "}]}"))
                  .status()
                  .message(),
              HasSubstr("not valid JSON"));
}

TEST(JsonRows, BadValuesAreViolationsNamingRowAndFieldAndReadingGoesOn) {
  auto read = Json(R"({"rows":[{"fund_id":"x1","strike":"abc"},{"colour":"red"},
                               {"bogus":{"a":1}},{"fund_id":3}]})");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->statuses.size(), 4u);
  std::vector<FieldViolation> first = FieldViolationsOf(read->statuses[0]);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].field, "rows[0].fund_id");
  EXPECT_EQ(first[0].description, "must be an integer, got 'x1'");
  EXPECT_EQ(first[1].field, "rows[0].strike");
  EXPECT_EQ(FieldViolationsOf(read->statuses[1])[0],
            (FieldViolation{"rows[1]", "unknown field 'colour'"}));
  EXPECT_EQ(FieldViolationsOf(read->statuses[2])[0].field, "rows[2]");
  EXPECT_TRUE(read->statuses[3].ok());
  EXPECT_EQ(read->rows[3].fund_id(), 3);
}

TEST(JsonRows, ARowThatIsNotAnObjectStopsTheReading) {
  for (const char* bad : {R"({"rows":[{},3]})", R"({"rows":[{},[]]})"}) {
    EXPECT_THAT(Json(bad).status().message(), HasSubstr("rows[1]: a row must be a JSON object"))
        << bad;
  }
}

TEST(JsonRows, NestedValuesWithinTheLimitParseAndEmptyRowsCount) {
  auto read = Json(R"({"meta":{"a":[[{"b":[]}],{}]},"rows":[{"fund_id":3,)"
                   R"("strike":{"value":2.5}},{}],"after":{}})");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->rows.size(), 2u);
  EXPECT_DOUBLE_EQ(read->rows[0].strike().value(), 2.5);
  EXPECT_TRUE(read->statuses[1].ok());
  auto empty = Json("{\"rows\":[]}");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->rows.empty());
}

std::string Nested(int depth) {
  return absl::StrCat("{\"rows\":[{\"fund_id\":1,\"x\":", std::string(depth, '['),
                      std::string(depth, ']'), "}]}");
}

TEST(RowLimits, JsonNestedBeyond64LevelsIsRefusedWithoutRecursion) {
  // The envelope and the row take 3 levels: 61 more is the most a row may nest.
  auto deepest = Json(Nested(61));
  EXPECT_NE(LimitOf(deepest.status()), kTooDeep) << deepest.status();
  for (int depth : {62, 1000, 1000000}) {
    auto read = Json(Nested(depth));
    EXPECT_EQ(LimitOf(read.status()), kTooDeep) << depth << ": " << read.status();
    EXPECT_THAT(read.status().message(), HasSubstr("rows[0].x[0]"));
    EXPECT_THAT(read.status().message(), HasSubstr("more than 64 levels"));
  }
  std::string objects;  // outside the rows too, in objects as in arrays
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  // Unclosed, which simdjson refuses before reading anything: still too deep, and where.
  auto unclosed = Json(absl::StrCat("{\"rows\":[],\"meta\":", objects));
  EXPECT_EQ(LimitOf(unclosed.status()), kTooDeep) << unclosed.status();
  EXPECT_THAT(unclosed.status().message(), HasSubstr("meta.a.a.a"));
  auto arrays = Json(absl::StrCat("{\"rows\":[{\"x\":", std::string(100000, '[')));
  EXPECT_EQ(LimitOf(arrays.status()), kTooDeep) << arrays.status();
  EXPECT_THAT(arrays.status().message(), HasSubstr("rows[0].x[0][0]"));
  // Unclosed and shallow: malformed, not a limit.
  auto shallow = Json("{\"rows\":[{\"fund_id\":1,\"x\":[[[");
  EXPECT_EQ(LimitOf(shallow.status()), "") << shallow.status();
  EXPECT_THAT(shallow.status().message(), HasSubstr("not valid JSON"));
}

TEST(RowLimits, RowCountIsLimitedInBothFormats) {
  RowLimits limits;
  limits.max_rows = 2;
  EXPECT_TRUE(Json(R"({"rows":[{"fund_id":1},{"fund_id":2}]})", limits).ok());
  auto three = Json(R"({"rows":[{"fund_id":1},{"fund_id":2},{"fund_id":3}]})", limits);
  EXPECT_EQ(LimitOf(three.status()), kTooManyRows) << three.status();
  EXPECT_THAT(three.status().message(), HasSubstr("more than 2 rows"));
  EXPECT_TRUE(Csv("fund_id\n1\n\n2\n", limits).ok());  // a blank line is no row
  EXPECT_EQ(LimitOf(Csv("fund_id\n1\n2\n3\n", limits).status()), kTooManyRows);
}

TEST(RowLimits, FieldLengthIsLimitedAndNamesTheRowAndField) {
  RowLimits limits;
  limits.max_field_bytes = 8;
  EXPECT_TRUE(Json(R"({"rows":[{"isin":"12345678"}]})", limits).ok());
  auto json = Json(R"({"rows":[{"isin":"1"},{"isin":"123456789"}]})", limits);
  EXPECT_EQ(LimitOf(json.status()), kFieldTooLong) << json.status();
  EXPECT_THAT(json.status().message(), HasSubstr("rows[1].isin: a value longer than 8 bytes"));
  EXPECT_EQ(LimitOf(Json(R"({"rows":[{"fund_id":1234567890}]})", limits).status()),
            kFieldTooLong);
  EXPECT_EQ(LimitOf(Json(R"({"rows":[{"a_very_long_name":1}]})", limits).status()),
            kFieldTooLong);
  auto csv = Csv("fund_id,isin\n1,\"123456789\"\n", limits);
  EXPECT_EQ(LimitOf(csv.status()), kFieldTooLong) << csv.status();
  EXPECT_THAT(csv.status().message(), HasSubstr("rows[0].isin (line 2)"));
  // The default: 64 KiB; a 10 MB cell is refused, not buffered.
  auto huge = Csv(absl::StrCat("fund_id,isin\n1,", std::string(10 << 20, 'x')));
  EXPECT_EQ(LimitOf(huge.status()), kFieldTooLong) << huge.status();
}

TEST(RowLimits, TextInMemoryOverTheByteLimitIsRefusedUnread) {
  RowLimits limits;
  limits.max_bytes = 10;
  EXPECT_EQ(LimitOf(Json(R"({"rows":[{}]})", limits).status()), kTooLarge);
  EXPECT_EQ(LimitOf(Csv("fund_id\n12345\n", limits).status()), kTooLarge);
}

TEST(RowLimits, TextThatIsNotUtf8IsRefusedNamingRowAndField) {
  auto csv = Csv("fund_id,asset_nickname\n1,ok\n2,A\xe7\xf5" "es\n");
  EXPECT_EQ(LimitOf(csv.status()), kInvalidUtf8) << csv.status();
  EXPECT_THAT(csv.status().message(), HasSubstr("rows[1].asset_nickname (line 3): invalid UTF-8 "
                                                "(byte 0xE7 at byte 1 of the value)"));
  EXPECT_EQ(LimitOf(Csv("fund_id,\xe7\n1,2\n").status()), kInvalidUtf8);
  auto json = Json("{\"rows\":[{\"asset_nickname\":\"A\xe7\xf5" "es\"}]}");
  EXPECT_EQ(LimitOf(json.status()), kInvalidUtf8) << json.status();
  EXPECT_THAT(json.status().message(), HasSubstr("rows[0].asset_nickname: invalid UTF-8"));
  // In a member name, in a skipped value, overlong and surrogate forms: all refused.
  for (const std::string bad : {"{\"rows\":[{\"\xff\":1}]}", "{\"n\":\"\xc0\xaf\",\"rows\":[]}",
                                "{\"rows\":[],\"n\":\"\xed\xa0\x80\"}"}) {
    EXPECT_EQ(LimitOf(Json(bad).status()), kInvalidUtf8) << bad;
  }
  EXPECT_EQ(LimitOf(Json(R"({"rows":[)").status()), "");  // other errors carry no limit
}

// simdjson refuses ill-formed UTF-8 for the whole document; the error still names where the byte
// is: in a value, a member name, an array element or a member outside the rows.
TEST(RowLimits, InvalidUtf8InJsonIsNamedByItsPath) {
  const std::pair<std::string, std::string> cases[] = {
      {"{\"rows\":[{\"fund_id\":1},{\"fund_id\":2,\"tags\":[\"a\",\"b\xff\"]}]}",
       "rows[1].tags[1]: invalid UTF-8 near byte 50"},
      {"{\"rows\":[{\"fund_id\":1,\"n\xe7\":2}]}", "rows[0].'n?': invalid UTF-8 near byte 24"},
      {"{\"meta\":{\"by\":\"Jo\xe3o\"},\"rows\":[]}", "meta.by: invalid UTF-8 near byte 17"},
      {"\xef\xbb\xbf{\"rows\":[],\"x\":\"\xc0\xaf\"}", "x: invalid UTF-8 near byte 19"},
  };
  for (const auto& [text, message] : cases) {
    auto read = Json(text);
    EXPECT_EQ(LimitOf(read.status()), kInvalidUtf8) << text;
    EXPECT_THAT(read.status().message(), HasSubstr(message)) << text;
    EXPECT_TRUE(IsValidUtf8(StdView(read.status().message()))) << read.status();
  }
}

TEST(RowFormats, AByteOrderMarkIsSkipped) {
  auto csv = Csv("\xEF\xBB\xBF fund_id ,market_value\r\n4,1.00\r\n");
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->rows[0].fund_id(), 4);
  auto json = Json("\xEF\xBB\xBF{\"rows\":[{\"fund_id\":5}]}");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->rows[0].fund_id(), 5);
}

TEST(CsvRows, QuotesEmptyCellsShortEnumNamesAndCamelCaseColumns) {
  auto read = Csv("fund_id,asset_nickname,classification,strike,positionDate\r\n"
                  "1,\"a, \"\"b\"\"\",otc_swap,,2026-11-20\r\n"
                  "2,c,POSITION_CLASSIFICATION_OFFSHORE_FUND,1.5,\r\n");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->rows.size(), 2u);
  EXPECT_EQ(read->rows[0].asset_nickname(), "a, \"b\"");
  EXPECT_EQ(read->rows[0].classification(), v1::POSITION_CLASSIFICATION_OTC_SWAP);
  EXPECT_FALSE(read->rows[0].has_strike());
  EXPECT_EQ(read->rows[0].position_date(), "2026-11-20");
  EXPECT_DOUBLE_EQ(read->rows[1].strike().value(), 1.5);
}

TEST(CsvRows, ValueErrorsAndRaggedRowsAreViolationsAndReadingGoesOn) {
  auto read = Csv("fund_id,classification,strike\nx1,SWAPS,abc\n1,OTHER\n2,,\n");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->statuses.size(), 3u);
  std::vector<FieldViolation> v = FieldViolationsOf(read->statuses[0]);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].field, "rows[0].fund_id");
  EXPECT_EQ(v[1].field, "rows[0].classification");
  EXPECT_EQ(v[2], (FieldViolation{"rows[0].strike", "must be a number, got 'abc'"}));
  EXPECT_EQ(FieldViolationsOf(read->statuses[1])[0],
            (FieldViolation{"rows[1]", "has 2 cells, the header 3 (line 3)"}));
  EXPECT_TRUE(read->statuses[2].ok());
}

TEST(CsvRows, TheHeaderMustNameScalarFields) {
  EXPECT_THAT(Csv("fund_id,nav\n1,2\n").status().message(), HasSubstr("unknown CSV column 'nav'"));
  RowSink sink{[]() -> google::protobuf::Message* {
                 static v1::SubmitMarginsRequest request;
                 return &request;
               },
               [](int64_t, const absl::Status&, google::protobuf::Message&) {
                 return absl::OkStatus();
               },
               v1::SubmitMarginsRequest::descriptor()};
  EXPECT_THAT(ReadRows("submissions\n", RowFormat::kCsv, {}, sink).message(),
              HasSubstr("not a scalar field"));
  EXPECT_THAT(Csv("fund_id,nav\n").status().message(), HasSubstr("unknown CSV column 'nav'"));
  EXPECT_THAT(Csv("").status().message(), HasSubstr("without a header row"));
  EXPECT_THAT(Csv("fund_id,isin\n1,\"BR").status().message(), HasSubstr("not closed"));
}

std::string Write(const std::string& name, const std::string& text) {
  std::string path = (std::filesystem::temp_directory_path() /
                      absl::StrCat("row_reader_test_", getpid(), "_", name))
                         .string();
  std::ofstream(path) << text;
  return path;
}

TEST(RowFiles, FilesStreamByExtensionAndASinkErrorStops) {
  EXPECT_EQ(FormatOfPath("a/b.CSV"), RowFormat::kCsv);
  EXPECT_EQ(FormatOfPath("b.json"), RowFormat::kJson);
  const std::string path = Write("s.json", R"({"rows": [{"fund_id": 1}, {}, {}]})");
  int calls = 0;
  absl::Status status = ReadRowsFile(
      path, Position::default_instance(), StreamedFileLimits(),
      [&](int64_t, const absl::Status&, google::protobuf::Message& row) {
        EXPECT_EQ(static_cast<Position&>(row).fund_id(), calls == 0 ? 1 : 0);  // cleared
        return ++calls == 2 ? absl::AbortedError("stop") : absl::OkStatus();
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(calls, 2);
  std::filesystem::remove(path);
  EXPECT_THAT(ReadRowsFile("/nonexistent/x.csv", Position::default_instance(), {},
                           [](int64_t, const absl::Status&, google::protobuf::Message&) {
                             return absl::OkStatus();
                           })
                  .message(),
              HasSubstr("cannot open"));
}

TEST(RowFiles, AJsonFileOverTheByteLimitIsRefusedUnreadWhileCsvStreams) {
  RowLimits limits = StreamedFileLimits();
  limits.max_bytes = 16;
  const std::string json = Write("big.json", R"({"rows": [{"fund_id": 1}]})");
  const std::string csv = Write("big.csv", "fund_id,isin\n1,ABCDEFGHIJKL\n");
  auto counted = CountRowsFile(json, limits);
  EXPECT_EQ(LimitOf(counted.status()), kTooLarge) << counted.status();
  EXPECT_THAT(counted.status().message(),
              AllOf(HasSubstr(json), HasSubstr("holds 26 bytes, more than the 16")));
  EXPECT_EQ(LimitOf(ReadRowsFile(json, Position::default_instance(), limits,
                                 [](int64_t, const absl::Status&, google::protobuf::Message&) {
                                   return absl::OkStatus();
                                 })),
            kTooLarge);
  EXPECT_EQ(*CountRowsFile(csv, limits), 1);
  limits.max_bytes = 26;
  EXPECT_EQ(*CountRowsFile(json, limits), 1);
  for (const std::string& path : {csv, json}) std::filesystem::remove(path);
}

TEST(RowFiles, CountingChecksTheStructureButConvertsNothing) {
  const std::string csv = Write("c.csv", "a,b\n1,\"x\ny\"\n\n2,3\n");
  const std::string json = Write("c.json", R"({"rows": [{"a": {"b": 1}}, {}, {"x": 1}]})");
  const std::string bad = Write("b.json", R"({"rows": [{}, )");
  EXPECT_EQ(*CountRowsFile(csv, StreamedFileLimits()), 2);
  EXPECT_EQ(*CountRowsFile(json, StreamedFileLimits()), 3);
  EXPECT_FALSE(CountRowsFile(bad, StreamedFileLimits()).ok());
  for (const std::string& path : {csv, json, bad}) std::filesystem::remove(path);
}

}  // namespace
}  // namespace riskcap::rows
