// Tests for client/output.{h,cc}: one Table as aligned text, JSON and CSV.
#include "client/output.h"

#include <sstream>

#include "gtest/gtest.h"

namespace riskcap::client {
namespace {

std::string Rendered(const Table& table, OutputFormat format) {
  std::ostringstream out;
  Render(table, format, out);
  return out.str();
}

Table Sample() {
  Table table({"id", "name", "amount", "note"});
  table.HideInTextRows("note");
  table.AddRow({7, "Alpha", "1500000.25", "long, \"quoted\" text"});
  table.AddRow({12, "Beta fund", "0.00", nullptr});
  return table;
}

// Money columns (here "amount") are grouped for people (client/people_format.h).
TEST(Table, TextAlignsColumnsRightAlignsNumbersAndHidesLongColumns) {
  EXPECT_EQ(Rendered(Sample(), OutputFormat::kTable),
            "ID  NAME             AMOUNT\n"
            " 7  Alpha      1,500,000.25\n"
            "12  Beta fund          0.00\n");
}

TEST(Table, CsvHasEveryColumnAndQuotesWhereNeeded) {
  EXPECT_EQ(Rendered(Sample(), OutputFormat::kCsv),
            "id,name,amount,note\n"
            "7,Alpha,1500000.25,\"long, \"\"quoted\"\" text\"\n"
            "12,Beta fund,0.00,\n");
}

TEST(Table, JsonKeepsTypesAndMoneyStrings) {
  Json json = Json::parse(Rendered(Sample(), OutputFormat::kJson));
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0]["id"], 7);
  EXPECT_EQ(json[0]["amount"], "1500000.25");
  EXPECT_EQ(json[0]["note"], "long, \"quoted\" text");
  EXPECT_TRUE(json[1]["note"].is_null());
}

TEST(Table, RecordIsAnObjectAndOneLinePerColumn) {
  Table record({"submission_id", "state", "replayed"}, Table::Layout::kRecord);
  record.AddRow({42, "RECEIVED", false});
  EXPECT_EQ(Rendered(record, OutputFormat::kTable),
            "submission_id  42\n"
            "state          RECEIVED\n"
            "replayed       false\n");
  Json json = Json::parse(Rendered(record, OutputFormat::kJson));
  EXPECT_EQ(json["submission_id"], 42);
  EXPECT_EQ(json["replayed"], false);
}

TEST(Table, DocumentReplacesTheJsonOnly) {
  Json document = {{"netting_sets", Json::array()}};
  std::ostringstream json, csv;
  Render(Sample(), OutputFormat::kJson, json, &document);
  Render(Sample(), OutputFormat::kCsv, csv, &document);
  EXPECT_EQ(Json::parse(json.str()), document);
  EXPECT_EQ(csv.str(), Rendered(Sample(), OutputFormat::kCsv));
}

TEST(CellText, DoublesAreShortForHumansAndExactForMachines) {
  EXPECT_EQ(CellText(569.4701409373457, true), "569.470141");
  EXPECT_EQ(CellText(0.75, true), "0.75");
  EXPECT_EQ(CellText(800.0, true), "800");
  EXPECT_EQ(CellText(569.4701409373457, false), "569.4701409373457");
  EXPECT_EQ(CellText(Json(), true), "");
  EXPECT_EQ(CellText("0.10", true), "0.10");
}

}  // namespace
}  // namespace riskcap::client
