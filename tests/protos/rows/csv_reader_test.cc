// RFC 4180 records from a stream (protos/rows/csv_reader.cc).
#include "protos/rows/csv_reader.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap::rows {
namespace {

using ::testing::ElementsAre;
using Outcome = CsvReader::Outcome;

TEST(CsvReader, QuotedCellsHoldCommasQuotesAndLineBreaks) {
  std::stringbuf in("a,\"b, \"\"c\"\"\",\"x\ny\"\r\n\"\",last\rend");
  CsvReader reader(in, 1024);
  std::vector<std::string> cells;
  ASSERT_EQ(reader.Next(&cells, 8), Outcome::kRecord);
  EXPECT_THAT(cells, ElementsAre("a", "b, \"c\"", "x\ny"));
  EXPECT_EQ(reader.line(), 1);
  ASSERT_EQ(reader.Next(&cells, 8), Outcome::kRecord);
  EXPECT_THAT(cells, ElementsAre("", "last"));
  EXPECT_EQ(reader.line(), 3);  // the quoted line break counted
  ASSERT_EQ(reader.Next(&cells, 8), Outcome::kRecord);
  EXPECT_THAT(cells, ElementsAre("end"));
  EXPECT_EQ(reader.Next(&cells, 8), Outcome::kEnd);
}

// The reader writes over the last record's cells: a shorter record must not keep any of them.
TEST(CsvReader, AShorterRecordAfterALongerOneHoldsOnlyItsOwnCells) {
  std::stringbuf in("a,a cell longer than any short string,c\nx\n,\n\"q\"\n");
  CsvReader reader(in, 1024);
  std::vector<std::string> cells;
  ASSERT_EQ(reader.Next(&cells, 8), Outcome::kRecord);
  EXPECT_THAT(cells, ElementsAre("a", "a cell longer than any short string", "c"));
  ASSERT_EQ(reader.Next(&cells, 8), Outcome::kRecord);
  EXPECT_THAT(cells, ElementsAre("x"));
  ASSERT_EQ(reader.Next(&cells, 8), Outcome::kRecord);
  EXPECT_THAT(cells, ElementsAre("", ""));
  ASSERT_EQ(reader.Next(&cells, 8), Outcome::kRecord);
  EXPECT_THAT(cells, ElementsAre("q"));
  EXPECT_EQ(reader.Next(&cells, 8), Outcome::kEnd);
  EXPECT_TRUE(cells.empty());
}

TEST(CsvReader, StopsAtAnUnterminatedQuoteATooLongCellOrTooManyCells) {
  std::stringbuf cut("a,\"b\n");
  std::vector<std::string> cells;
  EXPECT_EQ(CsvReader(cut, 1024).Next(&cells, 8), Outcome::kUnterminated);
  std::stringbuf longer("ok,123456789\n");
  CsvReader reader(longer, 8);
  EXPECT_EQ(reader.Next(&cells, 8), Outcome::kCellTooLong);
  EXPECT_EQ(reader.bad_cell(), 1u);
  std::stringbuf wide("a,b,c\n");
  EXPECT_EQ(CsvReader(wide, 1024).Next(&cells, 2), Outcome::kTooManyCells);
}

// What CsvCell writes, CsvReader reads back as it was; plain text is written as it is.
TEST(CsvCell, ReadsBackAsWrittenAndQuotesOnlyWhenItMust) {
  const std::vector<std::string> texts = {"plain", "", "a,b", "say \"hi\"", "two\nlines",
                                          "cr\rlf", "\""};
  std::vector<std::string> cells_written;
  for (const std::string& text : texts) cells_written.push_back(CsvCell(text));
  const std::string record = absl::StrJoin(cells_written, ",");
  EXPECT_EQ(CsvCell("plain"), "plain");
  EXPECT_EQ(CsvCell("say \"hi\""), "\"say \"\"hi\"\"\"");
  std::stringbuf in(record + "\n");
  std::vector<std::string> cells;
  ASSERT_EQ(CsvReader(in, 1024).Next(&cells, 16), Outcome::kRecord);
  EXPECT_EQ(cells, texts);
}

}  // namespace
}  // namespace riskcap::rows
