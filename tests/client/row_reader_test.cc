// CSV/JSON data-file rows into API messages (client/row_reader).
#include "client/row_reader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/field_errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/common.pb.h"
#include "riskcap/v1/margin.pb.h"

namespace riskcap::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Write(const std::string& name, const std::string& text) {
  std::string path = (std::filesystem::temp_directory_path() /
                      absl::StrCat("row_reader_test_", getpid(), "_", name))
                         .string();
  std::ofstream(path) << text;
  return path;
}

struct Read {
  std::vector<v1::Position> rows;
  std::vector<absl::Status> statuses;
};

absl::StatusOr<Read> ReadPositions(const std::string& path) {
  Read read;
  absl::Status status = ReadRows(path, v1::Position::default_instance(),
                                 [&](int64_t, const absl::Status& s, google::protobuf::Message& m) {
                                   read.rows.push_back(static_cast<v1::Position&>(m));
                                   read.statuses.push_back(s);
                                   return absl::OkStatus();
                                 });
  std::filesystem::remove(path);
  if (!status.ok()) return status;
  return read;
}

TEST(CsvReader, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  std::istringstream in("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n\nlast,,\n");
  CsvReader reader(in);
  std::vector<std::string> fields;
  ASSERT_TRUE(*reader.Next(fields));
  EXPECT_THAT(fields, ElementsAre("a", "b", "c"));
  ASSERT_TRUE(*reader.Next(fields));
  EXPECT_THAT(fields, ElementsAre("x, y", "say \"hi\"", "two\nlines"));
  EXPECT_EQ(reader.line(), 2);
  ASSERT_TRUE(*reader.Next(fields));
  EXPECT_THAT(fields, ElementsAre("last", "", ""));
  EXPECT_EQ(reader.line(), 5);
  EXPECT_FALSE(*reader.Next(fields));
}

TEST(CsvReader, UnclosedQuoteIsInvalid) {
  std::istringstream in("a\n\"open\n");
  CsvReader reader(in);
  std::vector<std::string> fields;
  ASSERT_TRUE(*reader.Next(fields));
  EXPECT_EQ(reader.Next(fields).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ReadRows, CsvSetsScalarsEnumsAndWrappersLeavingEmptyCellsUnset) {
  auto read = ReadPositions(Write("p.csv",
                                  "fund_id,classification,market_value,strike,otc_asset_class\n"
                                  "101,otc_swap,-1.50,5.25,OTC_ASSET_CLASS_FX\n"
                                  "102,OFFSHORE_FUND,2.00,,\n"));
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->rows.size(), 2u);
  EXPECT_TRUE(read->statuses[0].ok());
  EXPECT_EQ(read->rows[0].fund_id(), 101);
  EXPECT_EQ(read->rows[0].classification(), v1::POSITION_CLASSIFICATION_OTC_SWAP);
  EXPECT_EQ(read->rows[0].market_value(), "-1.50");
  EXPECT_DOUBLE_EQ(read->rows[0].strike().value(), 5.25);
  EXPECT_EQ(read->rows[0].otc_asset_class(), v1::OTC_ASSET_CLASS_FX);
  EXPECT_FALSE(read->rows[1].has_strike());
  EXPECT_EQ(read->rows[1].otc_asset_class(), v1::OTC_ASSET_CLASS_UNSPECIFIED);
}

TEST(ReadRows, CsvFromASpreadsheetWithAByteOrderMark) {
  auto read = ReadPositions(Write("bom.csv", "\xEF\xBB\xBF fund_id ,market_value\r\n7,1.00\r\n"));
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->rows.size(), 1u);
  EXPECT_EQ(read->rows[0].fund_id(), 7);
}

TEST(ReadRows, CsvValueErrorsNameRowAndColumn) {
  auto read = ReadPositions(Write("e.csv",
                                  "fund_id,classification,strike\n"
                                  "x1,SWAPS,abc\n"
                                  "1,OTHER\n"));
  ASSERT_TRUE(read.ok()) << read.status();
  std::vector<FieldViolation> v = FieldViolationsOf(read->statuses[0]);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].field, "rows[0].fund_id");
  EXPECT_EQ(v[1].field, "rows[0].classification");
  EXPECT_EQ(v[2].field, "rows[0].strike");
  EXPECT_THAT(v[2].description, HasSubstr("must be a number, got \"abc\""));
  EXPECT_THAT(read->statuses[1].message(), HasSubstr("has 2 cells, the header 3"));
}

TEST(ReadRows, CsvHeaderMustNameScalarFields) {
  EXPECT_THAT(ReadPositions(Write("h.csv", "fund_id,nav\n1,2\n")).status().message(),
              HasSubstr("unknown CSV column \"nav\""));
  auto nested = ReadRows(
      Write("n.csv", "submissions\n1\n"), v1::SubmitMarginsRequest::default_instance(),
      [](int64_t, const absl::Status&, google::protobuf::Message&) { return absl::OkStatus(); });
  EXPECT_THAT(nested.message(), HasSubstr("not a scalar field"));
}

TEST(ReadRows, JsonRowsUseTheCanonicalMapping) {
  auto read = ReadPositions(Write(
      "p.json",
      R"({"source": "x", "rows": [{"fund_id": "101",
          "classification": "POSITION_CLASSIFICATION_OTC_OPTION", "strike": 4.5, "market_value": "1.00"}, {"fund_id": 7, "bogus": 1}, 3]})"));
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->rows.size(), 3u);
  EXPECT_TRUE(read->statuses[0].ok());
  EXPECT_EQ(read->rows[0].fund_id(), 101);
  EXPECT_DOUBLE_EQ(read->rows[0].strike().value(), 4.5);
  EXPECT_THAT(FieldViolationsOf(read->statuses[1])[0].field, "rows[1]");
  EXPECT_THAT(read->statuses[2].message(), HasSubstr("must be a JSON object"));
}

TEST(ReadRows, JsonWithoutRowsOrMalformedIsInvalid) {
  EXPECT_THAT(ReadPositions(Write("a.json", R"({"data": []})")).status().message(),
              HasSubstr("no \"rows\" array"));
  EXPECT_THAT(ReadPositions(Write("b.json", R"({"rows": [)")).status().message(),
              HasSubstr("malformed JSON"));
}

TEST(ReadRows, ASinkErrorStopsReading) {
  std::string path = Write("s.json", R"({"rows": [{}, {}, {}]})");
  int calls = 0;
  absl::Status status =
      ReadRows(path, v1::Position::default_instance(),
               [&](int64_t, const absl::Status&, google::protobuf::Message&) {
                 return ++calls == 2 ? absl::AbortedError("stop") : absl::OkStatus();
               });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(calls, 2);
  std::filesystem::remove(path);
}

TEST(CountRows, CountsCsvRecordsAndJsonRows) {
  std::string csv = Write("c.csv", "a,b\n1,\"x\ny\"\n2,3\n");
  std::string json = Write("c.json", R"({"rows": [{"a": {"b": 1}}, {}, {}]})");
  EXPECT_EQ(*CountRows(csv), 2);
  EXPECT_EQ(*CountRows(json), 3);
  std::filesystem::remove(csv);
  std::filesystem::remove(json);
}

}  // namespace
}  // namespace riskcap::client
