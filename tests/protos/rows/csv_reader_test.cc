// RFC 4180 records from a stream (protos/rows/csv_reader.cc).
#include "protos/rows/csv_reader.h"

#include <sstream>
#include <string>
#include <vector>

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

}  // namespace
}  // namespace riskcap::rows
