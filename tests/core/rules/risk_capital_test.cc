// Tests for core/rules/risk_capital.{h,cc}: gross margin and its sources, caps, exact limit
// boundaries, CRITICAL, STALE, breach tracking across weekends, plausibility and input errors.
#include "core/rules/risk_capital.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap::rules {
namespace {

using ::testing::HasSubstr;

constexpr Date kRef(2026, 11, 24);  // a Tuesday
constexpr int64_t kFundId = 42;
constexpr int64_t kMaxMicros = std::numeric_limits<int64_t>::max();

Money M(const char* text) { return *Money::Parse(text); }

NavSnapshot Nav(const char* nav, double exchange_pct) {
  NavSnapshot n;
  n.fund_id = kFundId;
  n.position_date = kRef;
  n.nav = M(nav);
  n.exchange_margin_pct = exchange_pct;
  return n;
}

MarginSubmission Submission(const char* local, const char* offshore, Date reference = kRef - 1) {
  MarginSubmission s;
  s.id = 11;
  s.fund_id = kFundId;
  s.reference_date = reference;
  s.local_margin = M(local);
  s.offshore_margin = M(offshore);
  return s;
}

RiskCapitalInput Input(RegulatoryClass regulatory_class, std::optional<NavSnapshot> nav,
                       std::optional<MarginSubmission> submission,
                       std::optional<double> bylaws = std::nullopt) {
  RiskCapitalInput in;
  in.fund.id = kFundId;
  in.fund.regulatory_class = regulatory_class;
  in.fund.bylaws_margin_cap = bylaws;
  in.reference_date = kRef;
  in.nav = std::move(nav);
  in.manager_submission = std::move(submission);
  in.periodicity_days = 7;
  return in;
}

constexpr auto kMm = RegulatoryClass::kMultimercado;
constexpr auto kRf = RegulatoryClass::kRendaFixa;
constexpr auto kAcoes = RegulatoryClass::kAcoes;
constexpr auto kCambial = RegulatoryClass::kCambial;
constexpr auto kWithin = LimitStatus::kWithinLimit;
constexpr auto kWarning = LimitStatus::kWarning;
constexpr auto kBreach = LimitStatus::kBreach;
constexpr auto kCritical = LimitStatus::kCritical;
constexpr auto kNa = LimitStatus::kNotApplicable;
constexpr auto kClass = CapSource::kRegulatoryClass;
constexpr auto kBylaws = CapSource::kBylaws;
constexpr auto kNoCap = CapSource::kNone;

// NAV is 1,000,000.00 and the exchange margin 0 unless a case says otherwise, so the manager's
// local + offshore margin is the utilisation in millionths.
struct LimitCase {
  std::string name;
  RegulatoryClass regulatory_class;
  std::optional<double> bylaws;
  const char* local;
  const char* offshore;
  std::optional<double> cap;
  CapSource cap_source;
  LimitStatus status;
};

TEST(RiskCapital, LimitStatusByClassCapAndBoundary) {
  const std::vector<LimitCase> cases = {
      {"renda fixa well within", kRf, {}, "100000", "0", 0.2, kClass, kWithin},
      {"renda fixa just below warning", kRf, {}, "159999.999999", "0", 0.2, kClass, kWithin},
      {"renda fixa warning exactly at 80% of cap", kRf, {}, "160000", "0", 0.2, kClass, kWarning},
      {"renda fixa cap exactly reached: not a breach", kRf, {}, "150000", "50000", 0.2, kClass,
       kWarning},
      {"renda fixa one micro above cap", kRf, {}, "200000.000001", "0", 0.2, kClass, kBreach},
      {"acoes warning exactly at 80%", kAcoes, {}, "320000", "0", 0.4, kClass, kWarning},
      {"acoes cap exactly reached", kAcoes, {}, "400000", "0", 0.4, kClass, kWarning},
      {"acoes just above cap", kAcoes, {}, "400000.000001", "0", 0.4, kClass, kBreach},
      {"cambial just below warning", kCambial, {}, "319999.999999", "0", 0.4, kClass, kWithin},
      {"cambial just above cap", kCambial, {}, "0", "400000.000001", 0.4, kClass, kBreach},
      {"multimercado just below warning", kMm, {}, "559999.999999", "0", 0.7, kClass, kWithin},
      {"multimercado warning exactly at 80%", kMm, {}, "560000", "0", 0.7, kClass, kWarning},
      {"multimercado cap exactly reached", kMm, {}, "700000", "0", 0.7, kClass, kWarning},
      {"multimercado just above cap", kMm, {}, "700000.000001", "0", 0.7, kClass, kBreach},
      {"bylaws cap lower than class wins", kMm, 0.5, "600000", "0", 0.5, kBylaws, kBreach},
      {"bylaws cap exactly reached", kMm, 0.5, "500000", "0", 0.5, kBylaws, kWarning},
      {"bylaws warning at 80% of bylaws cap", kMm, 0.5, "400000", "0", 0.5, kBylaws, kWarning},
      {"bylaws cap higher than class is ignored", kMm, 0.9, "800000", "0", 0.7, kClass, kBreach},
      {"bylaws cap equal to class cap: class", kRf, 0.2, "100000", "0", 0.2, kClass, kWithin},
      {"fidc: no cap, N/A", RegulatoryClass::kFidc, {}, "900000", "0", {}, kNoCap, kNa},
      {"fii: no cap, N/A", RegulatoryClass::kFii, {}, "900000", "0", {}, kNoCap, kNa},
      {"other: no cap, N/A", RegulatoryClass::kOther, {}, "900000", "0", {}, kNoCap, kNa},
      {"fidc with a bylaws cap: still N/A", RegulatoryClass::kFidc, 0.1, "900000", "0", {}, kNoCap,
       kNa},
  };
  for (const LimitCase& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<RiskCapitalResult> r = ComputeRiskCapital(
        Input(c.regulatory_class, Nav("1000000", 0), Submission(c.local, c.offshore), c.bylaws),
        RulesConfig{});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->cap.cap, c.cap);
    EXPECT_EQ(EnumName(r->cap.source), EnumName(c.cap_source));
    EXPECT_EQ(EnumName(r->limit_status), EnumName(c.status));
    EXPECT_EQ(r->gross_margin, *M(c.local).Add(M(c.offshore)));
    ASSERT_TRUE(r->utilisation.has_value());
    EXPECT_DOUBLE_EQ(*r->utilisation, r->gross_margin.ToDouble() / 1e6);
  }
}

TEST(RiskCapital, ConfiguredWarningFractionAndCaps) {
  RulesConfig config;
  config.warning_fraction = 0.9;
  config.class_caps[static_cast<size_t>(RegulatoryClass::kFidc)] = 0.3;
  struct Case {
    std::string name;
    RegulatoryClass regulatory_class;
    const char* local;
    LimitStatus status;
  };
  const std::vector<Case> cases = {
      {"below 90% of 0.7", kMm, "629999.999999", kWithin},
      {"exactly 90% of 0.7", kMm, "630000", kWarning},
      {"fidc given a cap by policy", RegulatoryClass::kFidc, "300000.000001", kBreach},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<RiskCapitalResult> r = ComputeRiskCapital(
        Input(c.regulatory_class, Nav("1000000", 0), Submission(c.local, "0")), config);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(EnumName(r->limit_status), EnumName(c.status));
  }
}

TEST(RiskCapital, GrossMarginComponentsAndSources) {
  RiskCapitalInput in = Input(kMm, Nav("1000000", 0.125), Submission("30000", "20000", kRef - 3));
  absl::StatusOr<RiskCapitalResult> r = ComputeRiskCapital(in, RulesConfig{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exchange_margin, (MarginComponent{M("125000"), MarginSource::kExchange, kRef}));
  EXPECT_EQ(r->otc_margin, (MarginComponent{M("30000"), MarginSource::kManager, kRef - 3}));
  EXPECT_EQ(r->offshore_margin, (MarginComponent{M("20000"), MarginSource::kManager, kRef - 3}));
  EXPECT_EQ(r->gross_margin, M("175000"));
  EXPECT_DOUBLE_EQ(*r->utilisation, 0.175);
  EXPECT_EQ(r->submission_id, 11);

  in.server_estimate = ServerMarginEstimate{M("45000.5"), kRef - 1};
  r = ComputeRiskCapital(in, RulesConfig{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->otc_margin,
            (MarginComponent{M("45000.5"), MarginSource::kServerEstimate, kRef - 1}));
  EXPECT_EQ(r->offshore_margin->source, MarginSource::kManager);
  EXPECT_EQ(r->gross_margin, M("190000.5"));

  in.manager_submission.reset();
  r = ComputeRiskCapital(in, RulesConfig{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->offshore_margin.has_value());
  EXPECT_FALSE(r->submission_id.has_value());
  EXPECT_EQ(r->gross_margin, M("170000.5"));

  in.server_estimate.reset();
  r = ComputeRiskCapital(in, RulesConfig{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->otc_margin.has_value());
  EXPECT_EQ(r->gross_margin, M("125000"));
  EXPECT_EQ(EnumName(r->limit_status), EnumName(kWithin));
}

TEST(RiskCapital, NavMissingOrNotPositive) {
  struct Case {
    std::string name;
    RegulatoryClass regulatory_class;
    std::optional<NavSnapshot> nav;
    LimitStatus status;
    bool in_breach;
  };
  const std::vector<Case> cases = {
      {"no NAV snapshot: N/A", kMm, std::nullopt, kNa, false},
      {"NAV zero: CRITICAL", kMm, Nav("0", 0.1), kCritical, true},
      {"NAV negative: CRITICAL", kRf, Nav("-0.01", 0.1), kCritical, true},
      {"NAV negative, class without cap: N/A", RegulatoryClass::kFidc, Nav("-5", 0.1), kNa, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<RiskCapitalResult> r =
        ComputeRiskCapital(Input(c.regulatory_class, c.nav, Submission("10", "5")), RulesConfig{});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(EnumName(r->limit_status), EnumName(c.status));
    EXPECT_FALSE(r->utilisation.has_value());
    EXPECT_FALSE(r->exchange_margin.has_value());  // a % of a non-positive NAV is no margin
    EXPECT_EQ(r->gross_margin, M("15"));
    EXPECT_EQ(r->breach.start_date.has_value(), c.in_breach);
    EXPECT_EQ(r->breach.business_days, c.in_breach ? 1 : 0);
  }
}

TEST(RiskCapital, StaleWhenManagerFigureIsOlderThanThePeriodicity) {
  struct Case {
    std::string name;
    Date submission_reference;
    std::optional<int32_t> periodicity;
    bool server_estimate;
    bool stale;
  };
  const std::vector<Case> cases = {
      {"fresh", kRef - 1, 7, false, false},
      {"exactly one period old", kRef - 7, 7, false, false},
      {"one day older than the period", kRef - 8, 7, false, true},
      {"old, quarterly periodicity", kRef - 90, 90, false, false},
      {"older than quarterly", kRef - 91, 90, false, true},
      {"old offshore figure still used beside a server estimate", kRef - 8, 7, true, true},
      {"not monitored: no periodicity, never stale", kRef - 400, std::nullopt, false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    RiskCapitalInput in =
        Input(kMm, Nav("1000000", 0), Submission("1", "1", c.submission_reference));
    in.periodicity_days = c.periodicity;
    if (c.server_estimate) in.server_estimate = ServerMarginEstimate{M("2"), kRef};
    absl::StatusOr<RiskCapitalResult> r = ComputeRiskCapital(in, RulesConfig{});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->stale, c.stale);
  }
  RiskCapitalInput only_estimate = Input(kMm, Nav("1000000", 0), std::nullopt);
  only_estimate.server_estimate = ServerMarginEstimate{M("2"), kRef - 100};
  EXPECT_FALSE(ComputeRiskCapital(only_estimate, RulesConfig{})->stale);
}

TEST(RiskCapital, CarriesDatesCapAndRuleVersion) {
  RulesConfig config;
  config.rule_version = "test-3";
  absl::StatusOr<RiskCapitalResult> r =
      ComputeRiskCapital(Input(kRf, Nav("500", 0.02), Submission("1", "2"), 0.15), config);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->fund_id, kFundId);
  EXPECT_EQ(r->reference_date, kRef);
  EXPECT_EQ(r->rule_version, "test-3");
  EXPECT_EQ(r->nav, M("500"));
  EXPECT_EQ(r->nav_date, kRef);
  EXPECT_EQ(r->cap.cap, 0.15);
  EXPECT_EQ(r->cap.source, CapSource::kBylaws);
  EXPECT_DOUBLE_EQ(*r->warning_level, 0.12);
  EXPECT_EQ(r->gross_margin, M("13"));
}

TEST(RiskCapitalBreach, StartAndConsecutiveBusinessDays) {
  const Date thu(2026, 11, 19), fri(2026, 11, 20), sat(2026, 11, 21), mon(2026, 11, 23);
  struct Case {
    std::string name;
    bool in_breach;
    Date reference;
    std::optional<PreviousBreach> previous;
    std::optional<Date> start;
    int32_t days;
  };
  const std::vector<Case> cases = {
      {"not in breach", false, kRef, std::nullopt, std::nullopt, 0},
      {"breach ends", false, kRef, PreviousBreach{mon, thu}, std::nullopt, 0},
      {"first day counts as one", true, kRef, std::nullopt, kRef, 1},
      {"previous within limit: new breach", true, kRef, PreviousBreach{mon, std::nullopt}, kRef, 1},
      {"Thu, Fri, then Mon: the weekend is skipped", true, mon, PreviousBreach{fri, thu}, thu, 3},
      {"started Friday, Tuesday is the third business day", true, kRef, PreviousBreach{mon, fri},
       fri, 3},
      {"a missing run does not end the breach", true, kRef,
       PreviousBreach{Date(2026, 11, 18), Date(2026, 11, 16)}, Date(2026, 11, 16), 7},
      {"first seen on a Saturday: no business day yet", true, sat,
       PreviousBreach{fri, std::nullopt}, sat, 0},
      {"from a Saturday start, Monday is day one", true, mon, PreviousBreach{sat, sat}, sat, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<BreachState> state = TrackBreach(c.in_breach, c.reference, c.previous);
    ASSERT_TRUE(state.ok()) << state.status();
    EXPECT_EQ(state->start_date, c.start);
    EXPECT_EQ(state->business_days, c.days);
  }
}

TEST(RiskCapitalBreach, InconsistentPreviousIsInvalidArgument) {
  const std::vector<PreviousBreach> bad = {
      {kRef, std::nullopt}, {kRef + 1, kRef - 3}, {kRef - 1, kRef}};
  for (const PreviousBreach& previous : bad) {
    EXPECT_EQ(TrackBreach(true, kRef, previous).status().code(), absl::StatusCode::kInvalidArgument)
        << FormatDate(previous.reference_date);
  }
}

TEST(RiskCapitalBreach, ComputeContinuesABreachFromThePreviousResult) {
  RiskCapitalInput in = Input(kRf, Nav("100", 0), Submission("30", "0"));
  in.previous = PreviousBreach{kRef - 1, Date(2026, 11, 20)};
  absl::StatusOr<RiskCapitalResult> r = ComputeRiskCapital(in, RulesConfig{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->limit_status, kBreach);
  EXPECT_EQ(r->breach.start_date, Date(2026, 11, 20));
  EXPECT_EQ(r->breach.business_days, 3);
  in.manager_submission = Submission("20", "0");  // back to exactly the cap: WARNING
  r = ComputeRiskCapital(in, RulesConfig{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->limit_status, kWarning);
  EXPECT_EQ(r->breach.start_date, std::nullopt);
  EXPECT_EQ(r->breach.business_days, 0);
}

TEST(RiskCapitalLimit, ExactComparisonAtBoundaries) {
  struct Case {
    const char* gross;
    const char* nav;
    double cap;
    double warning;
    LimitStatus status;
  };
  const std::vector<Case> cases = {
      {"16", "100", 0.2, 0.8, kWarning},  // 0.8 * 0.2 != 0.16 in binary; exact here
      {"15.999999", "100", 0.2, 0.8, kWithin},
      {"20", "100", 0.2, 0.8, kWarning},
      {"20.000001", "100", 0.2, 0.8, kBreach},
      {"0", "100", 0.2, 0.8, kWithin},
      {"70", "100", 0.7, 1.0, kWarning},  // warning at the cap itself
      {"9223372036854.775807", "9223372036854.775807", 1.0, 0.8, kWarning},
      {"9223372036854.775807", "1", 0.7, 0.8, kBreach},
      {"1", "9223372036854.775807", 0.7, 0.8, kWithin},
      {"5", "0", 0.7, 0.8, kCritical},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(EnumName(ClassifyLimit(M(c.gross), M(c.nav), c.cap, c.warning)), EnumName(c.status))
        << c.gross << " / " << c.nav << " vs " << c.cap;
  }
}

TEST(RiskCapitalExchange, PercentOfNavRoundedHalfEvenToMicros) {
  struct Case {
    const char* nav;
    double pct;
    const char* margin;
  };
  const std::vector<Case> cases = {
      {"1000000", 0.125, "125000.00"},
      {"0.000003", 0.5, "0.000002"},  // 1.5 micros -> 2
      {"0.000005", 0.5, "0.000002"},  // 2.5 micros -> 2
      {"0.000007", 0.5, "0.000004"},  // 3.5 micros -> 4
      {"0.000001", 0.4, "0.00"},
      {"12345678901.234567", 0.15, "1851851835.185185"},  // beyond double's 2^53 micros
      {"100", 0, "0.00"},
      {"100", 1.5, "150.00"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Money> margin = ExchangeMargin(Nav(c.nav, c.pct));
    ASSERT_TRUE(margin.ok()) << margin.status();
    EXPECT_EQ(margin->ToString(), c.margin) << c.nav << " x " << c.pct;
  }
  EXPECT_EQ(ExchangeMargin(Nav("1", -0.01)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExchangeMargin(Nav("1", std::nan(""))).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExchangeMargin(Nav("0", 0.1)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExchangeMargin(Nav("9000000000000", 2)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ExchangeMargin(Nav("1", 1e300)).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(RiskCapital, InvalidInputsNameTheProblem) {
  struct Case {
    std::string name;
    RiskCapitalInput input;
    absl::StatusCode code;
    std::string message;
  };
  std::vector<Case> cases;
  auto add = [&](std::string name, absl::StatusCode code, std::string message, auto mutate) {
    RiskCapitalInput in = Input(kMm, Nav("1000", 0.01), Submission("1", "1"));
    mutate(in);
    cases.push_back({std::move(name), std::move(in), code, std::move(message)});
  };
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  add("NAV of another day", kInvalid, "NAV snapshot of fund 42 is dated 2026-11-23",
      [](RiskCapitalInput& in) { in.nav->position_date = kRef - 1; });
  add("NAV of another fund", kInvalid, "NAV snapshot is for fund 7",
      [](RiskCapitalInput& in) { in.nav->fund_id = 7; });
  add("estimate after the date", kInvalid, "server margin estimate of fund 42 is dated 2026-11-25",
      [](RiskCapitalInput& in) {
        in.server_estimate = ServerMarginEstimate{M("1"), kRef + 1};
      });
  add("negative estimate", kInvalid, "server estimate of fund 42 is -1.00",
      [](RiskCapitalInput& in) {
        in.server_estimate = ServerMarginEstimate{M("-1"), kRef};
      });
  add("negative local margin", kInvalid, "local_margin of fund 42 is -0.01",
      [](RiskCapitalInput& in) { in.manager_submission->local_margin = M("-0.01"); });
  add("negative offshore margin", kInvalid, "offshore_margin of fund 42",
      [](RiskCapitalInput& in) { in.manager_submission->offshore_margin = M("-2"); });
  add("submission of another fund", kInvalid, "submission 11 is for fund 7",
      [](RiskCapitalInput& in) { in.manager_submission->fund_id = 7; });
  for (double bylaws : {0.0, -0.1, 1.5, std::nan("")}) {
    add("bad bylaws cap", kInvalid, "bylaws_margin_cap of fund 42",
        [bylaws](RiskCapitalInput& in) { in.fund.bylaws_margin_cap = bylaws; });
  }
  add("gross overflow", absl::StatusCode::kOutOfRange, "gross margin of fund 42 overflows",
      [](RiskCapitalInput& in) {
        in.manager_submission->local_margin = Money::FromMicros(kMaxMicros);
      });
  add("previous not before the date", kInvalid, "previous result is dated 2026-11-24",
      [](RiskCapitalInput& in) {
        in.previous = PreviousBreach{kRef, std::nullopt};
      });
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<RiskCapitalResult> r = ComputeRiskCapital(c.input, RulesConfig{});
    ASSERT_EQ(r.status().code(), c.code) << r.status();
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(c.message));
  }
}

TEST(RiskCapitalPlausibility, BelowTheFractionOfTheBenchmark) {
  struct Case {
    const char* submitted;
    double benchmark;
    bool implausible;
  };
  const std::vector<Case> cases = {
      {"499.99", 1000, true},     {"500", 1000, false}, {"0", 1000, true},
      {"2000", 1000, false},      {"0", 0, false},      {"0", -5, false},
      {"0", std::nan(""), false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsImplausibleMargin(M(c.submitted), c.benchmark, RulesConfig{}), c.implausible)
        << c.submitted << " vs " << c.benchmark;
  }
  RulesConfig strict;
  strict.implausible_margin_fraction = 0.9;
  EXPECT_TRUE(IsImplausibleMargin(M("899.99"), 1000, strict));
}

TEST(RiskCapital, EnumNamesMatchTheApi) {
  EXPECT_EQ(EnumName(LimitStatus::kWithinLimit), "WITHIN_LIMIT");
  EXPECT_EQ(EnumName(MarginSource::kServerEstimate), "SERVER_ESTIMATE");
  EXPECT_EQ(EnumName(CapSource::kRegulatoryClass), "REGULATORY_CLASS");
  EXPECT_EQ(*ParseEnum<LimitStatus>("CRITICAL"), LimitStatus::kCritical);
}

}  // namespace
}  // namespace riskcap::rules
