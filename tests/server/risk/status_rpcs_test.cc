// RiskService.ListFundStatus and GetRiskCapitalSummary (server/risk/status_rpcs.cc) against a real
// server on both backends: snapshot selection, filters, pinned pages, MANAGER scoping, and KPIs
// checked against the listed rows.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/risk.grpc.pb.h"
#include "server/risk/risk_service.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/service_fixture.h"

namespace riskcap::server {
namespace {

using ::riskcap::testing::ViolatedFields;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using rules::ConsolidatedExposure;
using rules::DeadlineStatus;
using rules::LimitStatus;
using rules::ValidationStatus;

constexpr Date kRef(2026, 11, 24);

struct Spec {
  int64_t fund;
  ConsolidatedExposure exposure;
  DeadlineStatus deadline;
  ValidationStatus validation;
  LimitStatus limit;
  std::optional<double> utilisation;
  bool stale;
};

class StatusRpcsTest : public ::riskcap::testing::ServiceFixture<v1::RiskService> {
 protected:
  std::vector<std::unique_ptr<grpc::Service>> MakeServices(RpcEnv& env) override {
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<RiskServiceImpl>(env));
    return services;
  }

  void AddFund(int64_t id, int64_t manager, RegulatoryClass cls) {
    Fund f;
    f.id = id;
    f.name = absl::StrCat("Fundo ", id);
    f.tax_id = absl::StrCat(900000 + id);
    f.manager_id = manager;
    f.regulatory_class = cls;
    ASSERT_TRUE(server_->store().CreateFund(f).ok());
  }

  rules::FundStatusRow Row(const Spec& s, Date date) {
    auto fund = server_->store().GetFund(s.fund);
    EXPECT_TRUE(fund.ok());
    rules::FundStatusRow row;
    row.manager_id = fund->manager_id;
    row.regulatory_class = fund->regulatory_class;
    row.status.fund_id = row.risk.fund_id = s.fund;
    row.status.reference_date = row.risk.reference_date = date;
    row.status.rule_version = row.risk.rule_version = "t";
    row.status.consolidated_exposure = s.exposure;
    row.status.deadline_status = s.deadline;
    row.status.validation_status = s.validation;
    row.risk.limit_status = s.limit;
    row.risk.utilisation = s.utilisation;
    row.risk.stale = s.stale;
    row.risk.gross_margin = Money::FromMicros(s.fund * 1'000'000);
    return row;
  }

  SnapshotVersion Write(const std::vector<Spec>& specs, Date date = kRef) {
    std::vector<rules::FundStatusRow> rows;
    for (const Spec& s : specs) rows.push_back(Row(s, date));
    db::NewVersion v;
    v.reference_date = date;
    v.content_hash = absl::StrCat("h", ++writes_);
    v.source = "test";
    auto written = server_->store().WriteFundStatus(v, rows);
    EXPECT_TRUE(written.ok()) << written.status();
    return *written;
  }

  // Funds listed through every page of `r`.
  std::vector<int64_t> Funds(const std::string& key, v1::ListFundStatusRequest r,
                             v1::StatusSnapshot* snapshot = nullptr) {
    std::vector<int64_t> ids;
    for (int guard = 0; guard < 50; ++guard) {
      v1::ListFundStatusResponse out;
      grpc::Status st = Call(key, &Stub::ListFundStatus, r, &out);
      EXPECT_TRUE(st.ok()) << st.error_message();
      for (const auto& s : out.statuses()) ids.push_back(s.fund_id());
      if (snapshot != nullptr) *snapshot = out.snapshot();
      if (out.next_page_token().empty()) break;
      r.set_page_token(out.next_page_token());
    }
    return ids;
  }

  void SeedStatuses() {
    AddFund(103, 1, RegulatoryClass::kAcoes);
    AddFund(104, 1, RegulatoryClass::kMultimercado);
    AddFund(202, 2, RegulatoryClass::kMultimercado);
    AddFund(203, 2, RegulatoryClass::kFidc);
    Write({{101, ConsolidatedExposure::kOtc, DeadlineStatus::kOverdue,
            ValidationStatus::kNotReceived, LimitStatus::kBreach, 0.75, false}});  // older v1
    specs_ = {
        {101, ConsolidatedExposure::kOtc, DeadlineStatus::kOnTime,
         ValidationStatus::kReceivedValidated, LimitStatus::kWithinLimit, 0.30, false},
        {103, ConsolidatedExposure::kOffshore, DeadlineStatus::kOverdue,
         ValidationStatus::kReceivedNotValidated, LimitStatus::kWarning, 0.33, true},
        {104, ConsolidatedExposure::kNone, DeadlineStatus::kNotApplicable,
         ValidationStatus::kNotApplicable, LimitStatus::kWithinLimit, 0.01, false},
        {201, ConsolidatedExposure::kOffshore, DeadlineStatus::kNeverSubmitted,
         ValidationStatus::kNotReceived, LimitStatus::kBreach, 0.25, false},
        {202, ConsolidatedExposure::kOtc, DeadlineStatus::kOnTime,
         ValidationStatus::kReceivedValidated, LimitStatus::kCritical, std::nullopt, false},
        {203, ConsolidatedExposure::kOffshore, DeadlineStatus::kOnTime,
         ValidationStatus::kReceivedValidated, LimitStatus::kNotApplicable, std::nullopt, false},
    };
    current_ = Write(specs_);
  }

  std::vector<Spec> specs_;
  SnapshotVersion current_;
  int writes_ = 0;
};

TEST_P(StatusRpcsTest, NotFoundWithoutASnapshotAndAKeyIsRequired) {
  EXPECT_EQ(Call(analyst_, &Stub::ListFundStatus, v1::ListFundStatusRequest()).error_code(),
            Code::NOT_FOUND);
  EXPECT_EQ(Call(analyst_, &Stub::GetRiskCapitalSummary, v1::GetRiskCapitalSummaryRequest())
                .error_code(), Code::NOT_FOUND);
  SeedStatuses();
  EXPECT_EQ(Call("", &Stub::ListFundStatus, v1::ListFundStatusRequest()).error_code(),
            Code::UNAUTHENTICATED);
  EXPECT_EQ(Call("", &Stub::GetRiskCapitalSummary, v1::GetRiskCapitalSummaryRequest())
                .error_code(), Code::UNAUTHENTICATED);
  for (const std::string& key : {analyst_, service_, admin_, manager1_}) {
    EXPECT_TRUE(Call(key, &Stub::ListFundStatus, v1::ListFundStatusRequest()).ok());
    EXPECT_TRUE(Call(key, &Stub::GetRiskCapitalSummary, v1::GetRiskCapitalSummaryRequest()).ok());
  }
}

TEST_P(StatusRpcsTest, ListsTheCurrentSnapshotWithFiltersAndPinnedPages) {
  SeedStatuses();
  v1::ListFundStatusRequest r;
  v1::StatusSnapshot snapshot;
  EXPECT_THAT(Funds(analyst_, r, &snapshot), ElementsAre(101, 103, 201, 202, 203));
  EXPECT_EQ(snapshot.version(), 2);
  EXPECT_EQ(snapshot.reference_date(), "2026-11-24");
  EXPECT_EQ(snapshot.load_id(), current_.id);
  r.set_include_not_monitored(true);
  r.set_page_size(2);
  EXPECT_THAT(Funds(analyst_, r), ElementsAre(101, 103, 104, 201, 202, 203));
  v1::ListFundStatusRequest overdue;
  overdue.set_deadline_status(v1::DEADLINE_STATUS_OVERDUE);
  EXPECT_THAT(Funds(analyst_, overdue), ElementsAre(103));
  v1::ListFundStatusRequest validated;
  validated.set_validation_status(v1::VALIDATION_STATUS_RECEIVED_VALIDATED);
  validated.set_manager_id(2);
  EXPECT_THAT(Funds(analyst_, validated), ElementsAre(202, 203));
  v1::ListFundStatusRequest by_class;
  by_class.set_regulatory_class(v1::REGULATORY_CLASS_MULTIMERCADO);
  EXPECT_THAT(Funds(analyst_, by_class), ElementsAre(101, 202));
  v1::ListFundStatusRequest offshore;
  offshore.set_consolidated_exposure(v1::EXPOSURE_ORIGIN_OFFSHORE);
  EXPECT_THAT(Funds(analyst_, offshore), ElementsAre(103, 201, 203));
  v1::ListFundStatusRequest not_monitored;
  not_monitored.set_consolidated_exposure(v1::EXPOSURE_ORIGIN_NONE);
  EXPECT_THAT(Funds(analyst_, not_monitored), ElementsAre(104));
  v1::ListFundStatusRequest breach;
  breach.set_limit_status(v1::LIMIT_STATUS_BREACH);
  EXPECT_THAT(Funds(analyst_, breach), ElementsAre(201));
  v1::ListFundStatusRequest one;
  one.set_fund_id(103);
  v1::ListFundStatusResponse out;
  ASSERT_TRUE(Call(analyst_, &Stub::ListFundStatus, one, &out).ok());
  ASSERT_EQ(out.statuses_size(), 1);
  EXPECT_EQ(out.statuses(0).fund_name(), "Fundo 103");
  EXPECT_EQ(out.statuses(0).consolidated_exposure(), v1::EXPOSURE_ORIGIN_OFFSHORE);
  EXPECT_TRUE(out.statuses(0).risk_capital().stale());
  EXPECT_EQ(out.statuses(0).risk_capital().gross_margin(), "103.00");
  v1::ListFundStatusRequest first;
  first.set_as_of_date("2026-11-24");
  first.mutable_version()->set_value(1);
  EXPECT_THAT(Funds(analyst_, first), ElementsAre(101));
  v1::ListFundStatusRequest before;
  before.set_as_of_date("2026-11-23");
  EXPECT_EQ(Call(analyst_, &Stub::ListFundStatus, before).error_code(), Code::NOT_FOUND);
  v1::ListFundStatusRequest bad;
  bad.mutable_version()->set_value(0);
  bad.set_deadline_status(static_cast<v1::DeadlineStatus>(42));
  EXPECT_THAT(ViolatedFields(Call(analyst_, &Stub::ListFundStatus, bad)),
              UnorderedElementsAre("version", "as_of_date", "deadline_status"));
}

TEST_P(StatusRpcsTest, PageTokenKeepsReadingThePinnedSnapshot) {
  SeedStatuses();
  v1::ListFundStatusRequest r;
  r.set_page_size(2);
  v1::ListFundStatusResponse page1;
  ASSERT_TRUE(Call(analyst_, &Stub::ListFundStatus, r, &page1).ok());
  ASSERT_FALSE(page1.next_page_token().empty());
  Write({{101, ConsolidatedExposure::kOtc, DeadlineStatus::kOnTime,
          ValidationStatus::kReceivedValidated, LimitStatus::kWithinLimit, 0.1, false}});  // v3
  r.set_page_token(page1.next_page_token());
  v1::ListFundStatusResponse page2;
  ASSERT_TRUE(Call(analyst_, &Stub::ListFundStatus, r, &page2).ok());
  EXPECT_EQ(page2.snapshot().version(), 2);
  ASSERT_EQ(page2.statuses_size(), 2);
  EXPECT_EQ(page2.statuses(0).fund_id(), 201);
  r.set_page_token("garbage");
  EXPECT_THAT(ViolatedFields(Call(analyst_, &Stub::ListFundStatus, r)), ElementsAre("page_token"));
}

TEST_P(StatusRpcsTest, ManagerSeesOnlyItsOwnFunds) {
  SeedStatuses();
  EXPECT_THAT(Funds(manager1_, v1::ListFundStatusRequest()), ElementsAre(101, 103));
  v1::ListFundStatusRequest foreign;
  foreign.set_manager_id(2);
  EXPECT_EQ(Call(manager1_, &Stub::ListFundStatus, foreign).error_code(), Code::PERMISSION_DENIED);
  v1::ListFundStatusRequest other_fund;
  other_fund.set_fund_id(201);
  EXPECT_THAT(Funds(manager1_, other_fund), ElementsAre());
  v1::RiskCapitalSummary summary;
  ASSERT_TRUE(Call(manager1_, &Stub::GetRiskCapitalSummary, v1::GetRiskCapitalSummaryRequest(),
                   &summary).ok());
  EXPECT_EQ(summary.monitored_fund_count(), 2);
  v1::GetRiskCapitalSummaryRequest foreign_summary;
  foreign_summary.set_manager_id(2);
  EXPECT_EQ(Call(manager1_, &Stub::GetRiskCapitalSummary, foreign_summary).error_code(),
            Code::PERMISSION_DENIED);
}

// Every KPI recomputed here from the listed rows, and a few against the hand-made dataset.
TEST_P(StatusRpcsTest, SummaryFiguresMatchTheRows) {
  SeedStatuses();
  Finding f;
  f.rule = "OVERDUE";
  f.fund_id = 103;
  f.reference_date = kRef;
  f.message = "late";
  f.dedup_key = "a";
  f.raised_at = server_->clock().Now();
  ASSERT_TRUE(server_->store().RaiseFinding(f).ok());
  f.fund_id = 104;  // not monitored: not counted
  f.dedup_key = "b";
  ASSERT_TRUE(server_->store().RaiseFinding(f).ok());
  f.fund_id = 103;  // an older date's finding: not the summary date's picture, not counted
  f.dedup_key = "a";
  f.reference_date = kRef - 1;
  ASSERT_TRUE(server_->store().RaiseFinding(f).ok());
  v1::RiskCapitalSummary s;
  ASSERT_TRUE(Call(analyst_, &Stub::GetRiskCapitalSummary, v1::GetRiskCapitalSummaryRequest(), &s)
                  .ok());
  v1::ListFundStatusResponse rows;
  ASSERT_TRUE(Call(analyst_, &Stub::ListFundStatus, v1::ListFundStatusRequest(), &rows).ok());
  std::map<std::string, int> n;
  std::map<int, int> per_class;
  for (const auto& row : rows.statuses()) {
    ++n[v1::ExposureOrigin_Name(row.consolidated_exposure())];
    ++n[v1::DeadlineStatus_Name(row.deadline_status())];
    ++n[v1::ValidationStatus_Name(row.validation_status())];
    ++n[v1::LimitStatus_Name(row.risk_capital().limit_status())];
    n["stale"] += row.risk_capital().stale() ? 1 : 0;
    ++per_class[v1::RegulatoryClass(
        server_->store().GetFund(row.fund_id())->regulatory_class) + 1];
  }
  const int monitored = rows.statuses_size();
  EXPECT_EQ(s.monitored_fund_count(), monitored);
  EXPECT_EQ(monitored, 5);
  EXPECT_EQ(s.otc_fund_count(), n["EXPOSURE_ORIGIN_OTC"]);
  EXPECT_EQ(s.offshore_fund_count(), n["EXPOSURE_ORIGIN_OFFSHORE"]);
  EXPECT_EQ(s.on_time_count(), n["DEADLINE_STATUS_ON_TIME"]);
  EXPECT_EQ(s.overdue_count(), n["DEADLINE_STATUS_OVERDUE"]);
  EXPECT_EQ(s.never_submitted_count(), n["DEADLINE_STATUS_NEVER_SUBMITTED"]);
  EXPECT_EQ(s.validated_count(), n["VALIDATION_STATUS_RECEIVED_VALIDATED"]);
  EXPECT_EQ(s.not_validated_count(), n["VALIDATION_STATUS_RECEIVED_NOT_VALIDATED"]);
  EXPECT_EQ(s.not_received_count(), n["VALIDATION_STATUS_NOT_RECEIVED"]);
  EXPECT_EQ(s.received_count(), s.validated_count() + s.not_validated_count());
  EXPECT_EQ(s.received_count() + s.not_received_count(), monitored);
  EXPECT_EQ(s.on_time_count() + s.overdue_count() + s.never_submitted_count(), monitored);
  EXPECT_EQ(s.within_limit_count(), n["LIMIT_STATUS_WITHIN_LIMIT"]);
  EXPECT_EQ(s.warning_count(), n["LIMIT_STATUS_WARNING"]);
  EXPECT_EQ(s.breach_count(), n["LIMIT_STATUS_BREACH"]);
  EXPECT_EQ(s.critical_count(), n["LIMIT_STATUS_CRITICAL"]);
  EXPECT_EQ(s.stale_count(), n["stale"]);
  EXPECT_DOUBLE_EQ(s.on_time_rate().value(), 3.0 / 5);
  EXPECT_DOUBLE_EQ(s.validation_rate().value(), 3.0 / 5);
  EXPECT_DOUBLE_EQ(s.otc_share().value(), 2.0 / 5);
  EXPECT_DOUBLE_EQ(s.max_utilisation().value(), 0.33);
  EXPECT_EQ(s.max_utilisation_fund_id(), 103);
  EXPECT_EQ(s.open_finding_count(), 1);
  std::map<int, int> reported;
  for (const auto& c : s.funds_per_class()) reported[c.regulatory_class()] = c.fund_count();
  EXPECT_EQ(reported, per_class);
  EXPECT_EQ(s.snapshot().load_id(), current_.id);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(StatusRpcsTest);

}  // namespace
}  // namespace riskcap::server
