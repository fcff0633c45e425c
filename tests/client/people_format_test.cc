// Tests for client/people_format.{h,cc}: percentages and grouped money in the text output, and
// that JSON and CSV keep the exact values.
#include "client/people_format.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ColumnKindOf, ByName) {
  struct Case {
    const char* column;
    ColumnKind kind;
  };
  for (const Case& c : {Case{"risk_capital_utilisation", ColumnKind::kPercent},
                        Case{"risk_capital_cap", ColumnKind::kPercent},
                        Case{"bylaws_margin_cap", ColumnKind::kPercent},
                        Case{"validation_rate", ColumnKind::kPercent},
                        Case{"exchange_margin_pct", ColumnKind::kPercent},
                        Case{"offshore_share_of_nav", ColumnKind::kPercent},
                        Case{"local_margin", ColumnKind::kMoney},
                        Case{"risk_capital_gross_margin", ColumnKind::kMoney},
                        Case{"risk_capital_nav", ColumnKind::kMoney},
                        Case{"closing_nav", ColumnKind::kMoney},
                        Case{"market_value", ColumnKind::kMoney},
                        Case{"fund_id", ColumnKind::kPlain},
                        Case{"liquidity_ratio", ColumnKind::kPlain},
                        Case{"price", ColumnKind::kPlain}}) {
    EXPECT_EQ(ColumnKindOf(c.column), c.kind) << c.column;
  }
}

TEST(GroupedMoney, ThousandsSeparatorsAndCents) {
  EXPECT_EQ(GroupedMoney("1234567.89"), "1,234,567.89");
  EXPECT_EQ(GroupedMoney("1234567.5"), "1,234,567.50");
  EXPECT_EQ(GroupedMoney("999"), "999.00");
  EXPECT_EQ(GroupedMoney("1000"), "1,000.00");
  EXPECT_EQ(GroupedMoney("-2500000.004"), "-2,500,000.00");
  EXPECT_EQ(GroupedMoney("999999.995"), "1,000,000.00");  // half away from zero carries
  EXPECT_EQ(GroupedMoney("-0.001"), "0.00");
  EXPECT_EQ(GroupedMoney("0.10"), "0.10");
  EXPECT_EQ(GroupedMoney("n/a"), "n/a");
  EXPECT_EQ(GroupedMoney("1e6"), "1e6");
  EXPECT_EQ(GroupedMoney(""), "");
}

TEST(Percent, TwoDecimals) {
  EXPECT_EQ(Percent(3.435644), "343.56%");
  EXPECT_EQ(Percent(0.683), "68.30%");
  EXPECT_EQ(Percent(0), "0.00%");
}

Table StatusLike() {
  Table table({"fund_id", "local_margin", "risk_capital_utilisation", "risk_capital_cap"});
  table.AddRow({Json(1000), Json("2500000.25"), Json(0.683061), Json(0.7)});
  table.AddRow({Json(1001), Json(nullptr), Json(nullptr), Json(nullptr)});
  return table;
}

TEST(PeopleText, TextTablesShowPercentagesAndGroupedMoney) {
  std::ostringstream text;
  Render(StatusLike(), OutputFormat::kTable, text);
  EXPECT_THAT(text.str(), HasSubstr("2,500,000.25"));
  EXPECT_THAT(text.str(), HasSubstr("68.31%"));
  EXPECT_THAT(text.str(), HasSubstr("70.00%"));
  EXPECT_THAT(text.str(), Not(HasSubstr("0.683061")));
}

TEST(PeopleText, JsonAndCsvKeepExactValues) {
  std::ostringstream json, csv;
  Render(StatusLike(), OutputFormat::kJson, json);
  Render(StatusLike(), OutputFormat::kCsv, csv);
  for (const std::string& out : {json.str(), csv.str()}) {
    EXPECT_THAT(out, HasSubstr("2500000.25"));
    EXPECT_THAT(out, HasSubstr("0.683061"));
    EXPECT_THAT(out, Not(HasSubstr("%")));
    EXPECT_THAT(out, Not(HasSubstr("2,500")));
  }
}

// Accented names (fund and class names are Portuguese) keep the columns aligned: width counts
// characters, not bytes.
TEST(Render, AlignsColumnsOfAccentedText) {
  Table table({"name", "fund_count"});
  table.AddRow({Json("Ações"), Json(26)});
  table.AddRow({Json("Renda Fixa"), Json(25)});
  std::ostringstream text;
  Render(table, OutputFormat::kTable, text);
  EXPECT_THAT(text.str(), HasSubstr("Ações               26\n"));
  EXPECT_THAT(text.str(), HasSubstr("Renda Fixa          25\n"));
}

TEST(HideBlankInTextRows, HidesOnlyColumnsBlankOnEveryRow) {
  Table table({"nav_date", "closing_nav", "version", "load_id"});
  table.AddRow({Json("2026-11-20"), Json("10.00"), Json(0), Json(nullptr)});
  table.AddRow({Json("2026-11-23"), Json("11.00"), Json(0), Json(7)});
  table.HideBlankInTextRows({"version", "load_id", "closing_nav"});
  std::ostringstream text, csv;
  Render(table, OutputFormat::kTable, text);
  Render(table, OutputFormat::kCsv, csv);
  EXPECT_THAT(text.str(), Not(HasSubstr("VERSION")));
  EXPECT_THAT(text.str(), HasSubstr("LOAD_ID"));
  EXPECT_THAT(text.str(), HasSubstr("CLOSING_NAV"));
  EXPECT_THAT(csv.str(), HasSubstr("version"));  // machines still get every column
}

}  // namespace
}  // namespace riskcap::client
