// API messages as table rows by reflection (client/proto_table), and streamed rows (RowStream).
#include "client/proto_table.h"

#include <sstream>

#include "absl/strings/str_split.h"
#include "client/finding_format.h"
#include "client/status_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/admin.pb.h"
#include "riskcap/v1/risk.pb.h"

namespace riskcap::client {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ProtoTable, FlattensNestedMessagesAndKeepsMoneyExact) {
  v1::FundStatus s;
  s.set_fund_id(101);
  s.set_fund_name("Alpha Macro");
  s.set_consolidated_exposure(v1::EXPOSURE_ORIGIN_OTC);
  s.set_deadline_status(v1::DEADLINE_STATUS_OVERDUE);
  s.set_consolidated_margin("1750000.000001");
  s.mutable_risk_capital()->set_nav("10000000.00");
  s.mutable_risk_capital()->mutable_otc_margin()->set_amount("1500000.25");
  s.mutable_risk_capital()->mutable_otc_margin()->set_source(v1::MARGIN_SOURCE_MANAGER);
  s.mutable_risk_capital()->mutable_utilisation()->set_value(0.175);
  Json object = ProtoObject(s);
  EXPECT_EQ(object["fund_id"], 101);
  EXPECT_EQ(object["consolidated_exposure"], "OTC");
  EXPECT_EQ(object["deadline_status"], "OVERDUE");
  EXPECT_EQ(object["consolidated_margin"], "1750000.000001");
  EXPECT_EQ(object["risk_capital_nav"], "10000000.00");
  EXPECT_EQ(object["risk_capital_otc_margin_amount"], "1500000.25");
  EXPECT_EQ(object["risk_capital_otc_margin_source"], "MANAGER");
  EXPECT_DOUBLE_EQ(object["risk_capital_utilisation"].get<double>(), 0.175);
  EXPECT_TRUE(object["risk_capital_cap"].is_null());  // unset wrapper
  EXPECT_EQ(object["benchmark_position_count"], 0);
}

// `riskcap status --summary -o json` printed funds_per_class as protobuf debug text
// ("regulatory_class: REGULATORY_CLASS_ACOES fund_count: 3;...").
TEST(ProtoTable, RepeatedMessagesAreObjectsInJsonAndKeyValuesForHumans) {
  v1::RiskCapitalSummary summary;
  summary.set_monitored_fund_count(10);
  auto* acoes = summary.add_funds_per_class();
  acoes->set_regulatory_class(v1::REGULATORY_CLASS_ACOES);
  acoes->set_fund_count(3);
  auto* fii = summary.add_funds_per_class();
  fii->set_regulatory_class(v1::REGULATORY_CLASS_FII);
  fii->set_fund_count(7);
  Json object = ProtoObject(summary);
  EXPECT_EQ(object["funds_per_class"],
            Json::parse(R"([{"regulatory_class":"ACOES","fund_count":3},)"
                        R"({"regulatory_class":"FII","fund_count":7}])"));
  std::ostringstream text, csv;
  Render(ProtoRecord(summary), OutputFormat::kTable, text);
  Render(ProtoRecord(summary), OutputFormat::kCsv, csv);
  EXPECT_THAT(text.str(), HasSubstr("regulatory_class=ACOES fund_count=3; "
                                    "regulatory_class=FII fund_count=7"));
  EXPECT_THAT(csv.str(), HasSubstr(R"("[{""regulatory_class"":""ACOES"",""fund_count"":3})"));
  EXPECT_EQ(ProtoObject(v1::RiskCapitalSummary())["funds_per_class"], Json::array());
}

TEST(ProtoTable, StatusTextShowsTheMainColumnsAndCsvAll) {
  v1::FundStatus s;
  s.set_fund_id(101);
  s.set_fund_name("Alpha, Macro");
  s.set_consolidated_margin("12.50");
  s.mutable_risk_capital()->set_limit_status(v1::LIMIT_STATUS_BREACH);
  Table table = StatusTable();
  table.AddRow(ProtoCells(s));
  std::ostringstream text, csv;
  Render(table, OutputFormat::kTable, text);
  Render(table, OutputFormat::kCsv, csv);
  EXPECT_THAT(text.str(), HasSubstr("RISK_CAPITAL_LIMIT_STATUS"));
  EXPECT_THAT(text.str(), testing::Not(HasSubstr("SACCR_EAD")));
  EXPECT_THAT(text.str(), HasSubstr("BREACH"));
  EXPECT_THAT(csv.str(), HasSubstr("benchmark_saccr_ead"));
  EXPECT_THAT(csv.str(), HasSubstr("101,\"Alpha, Macro\","));
}

TEST(ProtoTable, TimestampsAndRevokedKeys) {
  v1::ApiKey key;
  key.set_api_key_id(3);
  key.set_role(v1::ROLE_ADMIN);
  key.mutable_create_time()->set_seconds(1795521600);  // 2026-11-24T12:00:00Z
  Json object = ProtoObject(key);
  EXPECT_EQ(object["create_time"], "2026-11-24T12:00:00Z");
  EXPECT_TRUE(object["revoke_time"].is_null());
  EXPECT_EQ(object["role"], "ADMIN");
}

TEST(RowStream, JsonLinesCsvHeaderOnceAndTextLines) {
  v1::Finding f;
  f.set_finding_id(9);
  f.set_rule("LIMIT_BREACH");
  f.set_severity(v1::FINDING_SEVERITY_CRITICAL);
  f.set_message("utilisation 82.1% of a 70% cap");
  std::ostringstream json, csv, text;
  RowStream json_out(FindingTable(Table::Layout::kRows), OutputFormat::kJson, json);
  RowStream csv_out(FindingTable(Table::Layout::kRows), OutputFormat::kCsv, csv);
  RowStream text_out(FindingTable(Table::Layout::kRows), OutputFormat::kTable, text);
  for (int i = 0; i < 2; ++i) {
    json_out.Add(FindingCells(f));
    csv_out.Add(FindingCells(f));
    text_out.Add(FindingCells(f));
    f.set_finding_id(10);
  }
  std::vector<std::string> lines = absl::StrSplit(json.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Json::parse(lines[0])["finding_id"], 9);
  EXPECT_EQ(Json::parse(lines[1])["severity"], "CRITICAL");
  std::vector<std::string> csv_lines = absl::StrSplit(csv.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(csv_lines.size(), 3u);
  EXPECT_EQ(csv_lines[0].rfind("finding_id,rule,", 0), 0u);
  EXPECT_EQ(csv_lines[2].rfind("10,LIMIT_BREACH,CRITICAL", 0), 0u);
  EXPECT_THAT(text.str(), HasSubstr("9  LIMIT_BREACH  CRITICAL"));
  EXPECT_THAT(text.str(), testing::Not(HasSubstr("resolved_by")));
}

}  // namespace
}  // namespace riskcap::client
