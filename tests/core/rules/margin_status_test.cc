// Tests for core/rules/margin_status.{h,cc}: the stored row assembled from a fund's inputs (which
// figure is the OTC margin), the findings a row calls for, and the canonical line.
#include "core/rules/margin_status.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap::rules {
namespace {

using ::testing::HasSubstr;

constexpr Date kRef(2026, 11, 24);
Money M(const char* text) { return *Money::Parse(text); }

MarginStatusInput BaseInput() {
  MarginStatusInput in;
  in.fund.id = 7;
  in.fund.manager_id = 3;
  in.fund.regulatory_class = RegulatoryClass::kMultimercado;
  in.fund.target_audience = TargetAudience::kGeneral;
  in.reference_date = kRef;
  FundExposure e;
  e.fund_id = 7;
  e.position_date = kRef - 1;
  e.otc = true;
  in.exposure = e;
  MarginSubmission s;
  s.id = 70;
  s.fund_id = 7;
  s.reference_date = kRef - 2;
  s.submitted_at = absl::FromCivil(kRef - 2, absl::UTCTimeZone());
  s.local_margin = M("100000");
  s.offshore_margin = M("5000");
  in.submissions = {s};
  NavSnapshot n;
  n.fund_id = 7;
  n.position_date = kRef;
  n.nav = M("1000000");
  in.nav = n;
  return in;
}

Position IrSwap(Date end) {
  Position p;
  p.fund_id = 7;
  p.classification = PositionClassification::kOtcSwap;
  p.asset_code = "S";
  p.notional = M("1000000");
  p.asset_class = OtcAssetClass::kInterestRate;
  p.end_date = end;
  p.direction = "SHORT";
  p.currency = "BRL";
  return p;
}

TEST(MarginStatusRow, OtcMarginIsTheScheduleEstimateWhenEveryPositionQualifies) {
  MarginStatusInput in = BaseInput();
  in.positions_date = kRef - 1;
  in.positions = {IrSwap(kRef + 3650)};
  auto row = ComputeFundStatusRow(in, RulesConfig{});
  ASSERT_TRUE(row.ok()) << row.status();
  ASSERT_TRUE(row->risk.otc_margin.has_value());
  EXPECT_EQ(row->risk.otc_margin->source, MarginSource::kServerEstimate);
  EXPECT_EQ(row->risk.otc_margin->amount, M("40000"));
  EXPECT_EQ(row->risk.otc_margin->date, kRef - 1);
  EXPECT_EQ(row->risk.gross_margin, M("45000"));  // 40,000 estimate + 5,000 offshore
  EXPECT_EQ(row->manager_id, 3);
}

TEST(MarginStatusRow, ManagerFigureWhenAPositionIsExcluded) {
  MarginStatusInput in = BaseInput();
  in.positions_date = kRef - 1;
  Position credit = IrSwap(kRef + 3650);
  credit.asset_class = OtcAssetClass::kCredit;
  in.positions = {IrSwap(kRef + 3650), credit};
  auto row = ComputeFundStatusRow(in, RulesConfig{});
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->benchmark.position_count, 1);
  EXPECT_EQ(row->benchmark.excluded_count, 1);
  EXPECT_EQ(row->risk.otc_margin->source, MarginSource::kManager);
  EXPECT_EQ(row->risk.otc_margin->amount, M("100000"));
}

TEST(MarginStatusRow, NavOfAnotherDayIsNotUsed) {
  MarginStatusInput in = BaseInput();
  in.nav->position_date = kRef - 1;
  auto row = ComputeFundStatusRow(in, RulesConfig{});
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_FALSE(row->risk.nav.has_value());
  EXPECT_EQ(row->risk.limit_status, LimitStatus::kNotApplicable);
}

TEST(MarginStatusRow, BreachContinuesFromThePreviousRow) {
  MarginStatusInput in = BaseInput();
  in.submissions[0].local_margin = M("800000");  // 80.5% of NAV > 70% cap
  FundStatusRow previous;
  previous.status.reference_date = kRef - 1;
  previous.risk.breach.start_date = kRef - 7;  // Tuesday a week before
  in.previous = previous;
  auto row = ComputeFundStatusRow(in, RulesConfig{});
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->risk.limit_status, LimitStatus::kBreach);
  EXPECT_EQ(row->risk.breach.start_date, kRef - 7);
  EXPECT_EQ(row->risk.breach.business_days, 6);
}

// Each finding rule with its severity and dedup key.
TEST(MarginStatusFindings, RulesSeveritiesAndDedupKeys) {
  struct Case {
    std::string name;
    MarginStatusInput input;
    std::string rule;
    FindingSeverity severity;
    std::string dedup_key;
    std::string message_part;
  };
  MarginStatusInput never = BaseInput();
  never.submissions.clear();
  MarginStatusInput overdue = BaseInput();
  overdue.submissions[0].submitted_at = absl::FromCivil(kRef - 8, absl::UTCTimeZone());
  MarginStatusInput implausible = BaseInput();
  implausible.positions_date = kRef - 1;
  implausible.positions = {IrSwap(kRef + 3650)};  // benchmark 40,000
  implausible.submissions[0].local_margin = M("19999.99");
  MarginStatusInput warning = BaseInput();
  warning.submissions[0].local_margin = M("555000");  // 56% = 80% of the 70% cap
  MarginStatusInput breach = BaseInput();
  breach.submissions[0].local_margin = M("700000");  // 70.5%
  MarginStatusInput bylaws = BaseInput();
  bylaws.fund.bylaws_margin_cap = 0.5;  // stricter than the class's 70%
  bylaws.submissions[0].local_margin = M("555000");  // 56%
  MarginStatusInput critical = BaseInput();
  critical.nav->nav = M("0");
  MarginStatusInput stale = BaseInput();
  stale.submissions[0].reference_date = kRef - 8;
  const std::vector<Case> cases = {
      {"never submitted", never, "NEVER_SUBMITTED", FindingSeverity::kWarning,
       "NEVER_SUBMITTED:fund=7", "never submitted"},
      {"one day late", overdue, "OVERDUE", FindingSeverity::kWarning,
       "OVERDUE:fund=7:due=2026-11-23", "1 days late"},
      {"below half the benchmark", implausible, "IMPLAUSIBLE_MARGIN", FindingSeverity::kWarning,
       "IMPLAUSIBLE_MARGIN:fund=7:submission=70", "40000.00"},
      {"warning level reached", warning, "LIMIT_WARNING", FindingSeverity::kWarning,
       "LIMIT_WARNING:fund=7", "= 56.00% of the 70.00% class cap"},
      {"breach", breach, "LIMIT_BREACH", FindingSeverity::kCritical,
       "LIMIT_BREACH:fund=7:since=2026-11-24", "= 70.50% of the 70.00% class cap"},
      {"breach of the bylaws cap", bylaws, "LIMIT_BREACH", FindingSeverity::kCritical,
       "LIMIT_BREACH:fund=7:since=2026-11-24", "= 56.00% of the 50.00% bylaws cap"},
      {"NAV zero", critical, "NAV_CRITICAL", FindingSeverity::kCritical, "NAV_CRITICAL:fund=7",
       "<= 0"},
      {"manager figure older than the period", stale, "STALE_ESTIMATE", FindingSeverity::kInfo,
       "STALE_ESTIMATE:fund=7:submission=70", "7-day period"},
  };
  for (const Case& c : cases) {
    auto row = ComputeFundStatusRow(c.input, RulesConfig{});
    ASSERT_TRUE(row.ok()) << c.name << ": " << row.status();
    std::vector<Finding> findings = FindingsForRow(*row, RulesConfig{});
    const Finding* found = nullptr;
    for (const Finding& f : findings) {
      if (f.rule == c.rule) found = &f;
    }
    ASSERT_NE(found, nullptr) << c.name;
    EXPECT_EQ(found->severity, c.severity) << c.name;
    EXPECT_EQ(found->dedup_key, c.dedup_key) << c.name;
    EXPECT_EQ(found->fund_id, 7) << c.name;
    EXPECT_THAT(found->message, HasSubstr(c.message_part)) << c.name;
  }
}

TEST(MarginStatusFindings, HealthyFundRaisesNothing) {
  MarginStatusInput in = BaseInput();
  in.positions_date = kRef - 1;
  in.positions = {IrSwap(kRef + 3650)};
  in.submissions[0].local_margin = M("20000");  // exactly half the benchmark: plausible
  auto row = ComputeFundStatusRow(in, RulesConfig{});
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_TRUE(FindingsForRow(*row, RulesConfig{}).empty());
}

// One population for status, KPIs and findings: a fund with no OTC or offshore exposure is
// outside it, so even a utilisation over its cap raises nothing (the KPIs would not count it).
TEST(MarginStatusFindings, NotMonitoredFundRaisesNoFinding) {
  MarginStatusInput in = BaseInput();
  in.exposure.reset();
  in.submissions[0].local_margin = M("700000");  // 70.5%: over the 70% cap
  auto row = ComputeFundStatusRow(in, RulesConfig{});
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(row->monitored());
  EXPECT_EQ(row->risk.limit_status, LimitStatus::kBreach);
  EXPECT_TRUE(FindingsForRow(*row, RulesConfig{}).empty());
  in.submissions.clear();
  auto never = ComputeFundStatusRow(in, RulesConfig{});
  ASSERT_TRUE(never.ok());
  EXPECT_TRUE(FindingsForRow(*never, RulesConfig{}).empty());
}

Exemption InForce() {
  Exemption e;
  e.id = 9;
  e.fund_id = 7;
  e.reason = "fundo em liquidação";
  e.valid_from = kRef - 30;
  e.valid_to = kRef + 30;
  e.granted_at = absl::FromCivil(kRef - 30, absl::UTCTimeZone());
  return e;
}

const Finding* FindRule(const std::vector<Finding>& findings, const std::string& rule) {
  for (const Finding& f : findings) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

// An exemption validates the fund; it does not excuse a late report: the OVERDUE finding stands.
TEST(MarginStatusFindings, ExemptFundWithALateReportIsStillOverdue) {
  MarginStatusInput in = BaseInput();
  in.submissions[0].submitted_at = absl::FromCivil(kRef - 20, absl::UTCTimeZone());
  in.exemptions = {InForce()};
  auto row = ComputeFundStatusRow(in, RulesConfig{});
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->status.validation_status, ValidationStatus::kReceivedValidated);
  EXPECT_EQ(row->status.exemption_id, 9);
  const std::vector<Finding> findings = FindingsForRow(*row, RulesConfig{});
  const Finding* overdue = FindRule(findings, "OVERDUE");
  ASSERT_NE(overdue, nullptr);
  EXPECT_EQ(overdue->dedup_key, "OVERDUE:fund=7:due=2026-11-11");
  EXPECT_THAT(overdue->message, HasSubstr("last report 2026-11-04, due 2026-11-11, 13 days late"));
}

// Without a report, an exemption in force dates the deadline today: no deadline finding.
TEST(MarginStatusFindings, ExemptFundWithoutReportRaisesNoDeadlineFinding) {
  MarginStatusInput in = BaseInput();
  in.submissions.clear();
  in.exemptions = {InForce()};
  auto row = ComputeFundStatusRow(in, RulesConfig{});
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->status.deadline_status, DeadlineStatus::kOnTime);
  std::vector<Finding> findings = FindingsForRow(*row, RulesConfig{});
  EXPECT_EQ(FindRule(findings, "OVERDUE"), nullptr);
  EXPECT_EQ(FindRule(findings, "NEVER_SUBMITTED"), nullptr);
}

// An ended exemption of a fund without a report: overdue one period after its end, and the
// message says the date is the exemption's, not a report's.
TEST(MarginStatusFindings, EndedExemptionWithoutReportIsOverdueFromItsEnd) {
  MarginStatusInput in = BaseInput();
  in.submissions.clear();
  Exemption ended = InForce();
  ended.valid_to = kRef - 8;
  in.exemptions = {ended};
  auto row = ComputeFundStatusRow(in, RulesConfig{});
  ASSERT_TRUE(row.ok()) << row.status();
  const std::vector<Finding> findings = FindingsForRow(*row, RulesConfig{});
  const Finding* overdue = FindRule(findings, "OVERDUE");
  ASSERT_NE(overdue, nullptr);
  EXPECT_EQ(overdue->dedup_key, "OVERDUE:fund=7:due=2026-11-23");
  EXPECT_THAT(overdue->message,
              HasSubstr("no report, exempt until 2026-11-16, due 2026-11-23, 1 days late"));
}

TEST(MarginStatusCanonical, SameRowSameLineAnyChangeDiffers) {
  auto a = ComputeFundStatusRow(BaseInput(), RulesConfig{});
  auto b = ComputeFundStatusRow(BaseInput(), RulesConfig{});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(CanonicalLine(*a), CanonicalLine(*b));
  EXPECT_EQ(CanonicalLine(*a).back(), '\n');
  MarginStatusInput changed = BaseInput();
  changed.submissions[0].offshore_margin = M("5000.01");
  EXPECT_NE(CanonicalLine(*ComputeFundStatusRow(changed, RulesConfig{})), CanonicalLine(*a));
}

// Every stored field set (the escapes, -0, a double needing 17 digits, one component absent):
// the exact line pinned from the writer this file had before it used core/canonical.h's, since
// the content hashes of stored MARGIN_STATUS versions depend on it.
TEST(MarginStatusCanonical, LineIsByteForByteThePinnedFormat) {
  FundStatusRow row;
  FundStatus& s = row.status;
  s.fund_id = 7;
  s.reference_date = kRef;
  s.rule_version = "v|2\\x\ny\r";
  s.exposure_position_date = kRef - 1;
  s.consolidated_exposure = ConsolidatedExposure::kOtc;
  s.periodicity_days = 30;
  s.submission_id = 41;
  s.submission_state = SubmissionState::kValidated;
  s.exemption_id = 5;
  s.last_submission_date = kRef - 10;
  s.last_submission_source = LastSubmissionSource::kSubmission;
  s.next_due_date = kRef + 20;
  s.days_to_due = -3;
  s.deadline_status = DeadlineStatus::kOverdue;
  s.validation_status = ValidationStatus::kReceivedValidated;
  s.local_margin = M("100000.5");
  s.offshore_margin = M("-0.000001");
  s.consolidated_margin = M("100000.499999");
  row.manager_id = 3;
  row.regulatory_class = RegulatoryClass::kFidc;
  row.target_audience = TargetAudience::kProfessional;
  RiskCapitalResult& r = row.risk;
  r.nav = M("1000000");
  r.nav_date = kRef - 2;
  r.exchange_margin = MarginComponent{M("1.25"), MarginSource::kExchange, kRef - 2};
  r.otc_margin = MarginComponent{M("2"), MarginSource::kServerEstimate, kRef - 4};
  r.gross_margin = M("3.25");
  r.utilisation = 0.1;
  r.cap.cap = -0.0;
  r.cap.source = CapSource::kBylaws;
  r.limit_status = LimitStatus::kBreach;
  r.stale = true;
  r.breach.start_date = kRef - 6;
  r.breach.business_days = 4;
  row.benchmark.schedule_im = M("9.99");
  row.benchmark.position_count = 12;
  row.benchmark.excluded_count = 1;
  EXPECT_EQ(CanonicalLine(row),
            "7|2026-11-24|v\\|2\\\\x\\ny\\r|3|FIDC|PROFESSIONAL|OTC|2026-11-23|30|41|VALIDATED|5|"
            "2026-11-14|SUBMISSION|2026-12-14|-3|OVERDUE|RECEIVED_VALIDATED|100000500000|-1|"
            "100000499999|1000000000000|2026-11-22|1250000|EXCHANGE|2026-11-22|2000000|"
            "SERVER_ESTIMATE|2026-11-20||||3250000|0.10000000000000001|0|BYLAWS|BREACH|1|"
            "2026-11-18|4|9990000||12|1\n");
}

}  // namespace
}  // namespace riskcap::rules
