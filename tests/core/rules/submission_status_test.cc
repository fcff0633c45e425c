// Tests for core/rules/submission_status.{h,cc}: exposure, periodicity, deadline and validation
// rules with their boundaries, supersession, exemptions (which validate a fund but date its
// deadline only where it has no submission) and as-of-date knowledge.
#include "core/rules/submission_status.h"

#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap::rules {
namespace {

using ::testing::HasSubstr;

constexpr Date kRef(2026, 11, 24);  // a Tuesday
constexpr int64_t kFundId = 42;
constexpr auto kGeneral = TargetAudience::kGeneral;
constexpr auto kQualified = TargetAudience::kQualified;
constexpr auto kProfessional = TargetAudience::kProfessional;
constexpr auto kReceived = SubmissionState::kReceived;
constexpr auto kValidated = SubmissionState::kValidated;
constexpr auto kRejected = SubmissionState::kRejected;

absl::Time At(Date day, int hour = 12, int minute = 0, int second = 0) {
  return absl::FromCivil(
      absl::CivilSecond(day.year(), day.month(), day.day(), hour, minute, second),
      absl::UTCTimeZone());
}

// A submission sent at noon UTC on `sent`, for the day before as reference date.
MarginSubmission Sent(int64_t id, Date sent, SubmissionState state = kReceived,
                      std::optional<Date> decided = std::nullopt) {
  MarginSubmission s;
  s.id = id;
  s.fund_id = kFundId;
  s.reference_date = sent - 1;
  s.local_margin = Money::FromMicros(1'000'000 * id);
  s.offshore_margin = Money::FromMicros(250'000);
  s.submitted_at = At(sent);
  s.state = state;
  if (state != kReceived) s.decided_at = At(decided.value_or(sent), 18);
  return s;
}

Exemption Exempt(int64_t id, Date from, Date to, Date granted,
                 std::optional<Date> revoked = std::nullopt) {
  Exemption e;
  e.id = id;
  e.fund_id = kFundId;
  e.reason = "fund in liquidation";
  e.valid_from = from;
  e.valid_to = to;
  e.granted_at = At(granted, 9);
  if (revoked) e.revoked_at = At(*revoked, 9);
  return e;
}

struct Flags {
  bool otc = false;
  bool offshore = false;
};

FundExposure ExposureRow(Flags flags) {
  FundExposure e;
  e.fund_id = kFundId;
  e.position_date = kRef - 1;
  e.otc = flags.otc;
  e.offshore = flags.offshore;
  return e;
}

struct Expect {
  ConsolidatedExposure exposure = ConsolidatedExposure::kOtc;
  std::optional<int32_t> periodicity;
  std::optional<Date> last;
  LastSubmissionSource last_source = LastSubmissionSource::kNone;
  std::optional<int32_t> days_to_due;  // the next due date is checked as kRef + days_to_due
  DeadlineStatus deadline = DeadlineStatus::kNotApplicable;
  ValidationStatus validation = ValidationStatus::kNotApplicable;
  std::optional<int64_t> submission_id;
  std::optional<int64_t> exemption_id;
  bool resubmit = false;

  Expect Submission(int64_t id) const { return With([id](Expect& e) { e.submission_id = id; }); }
  Expect Exempted(int64_t id) const { return With([id](Expect& e) { e.exemption_id = id; }); }
  Expect Resubmit() const { return With([](Expect& e) { e.resubmit = true; }); }
  Expect Offshore() const {
    return With([](Expect& e) { e.exposure = ConsolidatedExposure::kOffshore; });
  }
  template <typename F>
  Expect With(F change) const {
    Expect e = *this;
    change(e);
    return e;
  }
};

constexpr auto kSub = LastSubmissionSource::kSubmission;
constexpr auto kExe = LastSubmissionSource::kExemption;
constexpr auto kOnTime = DeadlineStatus::kOnTime;
constexpr auto kOverdue = DeadlineStatus::kOverdue;
constexpr auto kValid = ValidationStatus::kReceivedValidated;
constexpr auto kNotValid = ValidationStatus::kReceivedNotValidated;
constexpr auto kNotReceived = ValidationStatus::kNotReceived;

// A monitored fund with an effective last submission (or validation) date.
Expect Due(int32_t periodicity, Date last, LastSubmissionSource source, int32_t days_to_due,
           DeadlineStatus deadline, ValidationStatus validation) {
  return {.periodicity = periodicity, .last = last, .last_source = source,
          .days_to_due = days_to_due, .deadline = deadline, .validation = validation};
}

// A monitored fund with neither a submission nor a validation date.
Expect Never(int32_t periodicity) {
  return {.periodicity = periodicity, .deadline = DeadlineStatus::kNeverSubmitted,
          .validation = kNotReceived};
}

// A fund that is not monitored; its submission or exemption is still reported.
Expect NotMonitored(std::optional<Date> last = std::nullopt,
                    LastSubmissionSource source = LastSubmissionSource::kNone) {
  return {.exposure = ConsolidatedExposure::kNone, .last = last, .last_source = source};
}

const std::optional<Flags> kOtc = Flags{.otc = true};
const std::optional<Flags> kOffshoreOnly = Flags{.offshore = true};
const std::optional<Flags> kBoth = Flags{.otc = true, .offshore = true};
const std::optional<Flags> kNeither = Flags{};

struct Case {
  std::string name;
  TargetAudience audience;
  std::optional<Flags> exposure;
  std::vector<MarginSubmission> submissions;
  std::vector<Exemption> exemptions;
  Expect expect;
};

// Sent at the last UTC second of `day`.
MarginSubmission SentLate(int64_t id, Date day) {
  MarginSubmission s = Sent(id, day);
  s.submitted_at = At(day, 23, 59, 59);
  return s;
}

// Sent on `sent` as a correction for a much older reference date.
MarginSubmission Correction(int64_t id, Date sent) {
  MarginSubmission s = Sent(id, sent);
  s.reference_date = sent - 60;
  return s;
}

std::vector<Case> DeadlineCases() {
  return {
      {"not exposed: N/A, submission still shown", kGeneral, kNeither, {Sent(1, kRef - 3)}, {},
       NotMonitored(kRef - 3, kSub).Submission(1)},
      {"no exposure row: N/A", kGeneral, std::nullopt, {}, {}, NotMonitored()},
      {"OTC general due today is on time", kGeneral, kOtc, {Sent(1, kRef - 7)}, {},
       Due(7, kRef - 7, kSub, 0, kOnTime, kNotValid).Submission(1)},
      {"OTC general one day late", kGeneral, kOtc, {Sent(1, kRef - 8)}, {},
       Due(7, kRef - 8, kSub, -1, kOverdue, kNotValid).Submission(1)},
      {"OTC general sent today", kGeneral, kOtc, {Sent(1, kRef)}, {},
       Due(7, kRef, kSub, 7, kOnTime, kNotValid).Submission(1)},
      {"OTC qualified due today", kQualified, kOtc, {Sent(1, kRef - 30)}, {},
       Due(30, kRef - 30, kSub, 0, kOnTime, kNotValid).Submission(1)},
      {"OTC qualified one day late", kQualified, kOtc, {Sent(1, kRef - 31)}, {},
       Due(30, kRef - 31, kSub, -1, kOverdue, kNotValid).Submission(1)},
      {"OTC professional due today", kProfessional, kOtc, {Sent(1, kRef - 90)}, {},
       Due(90, kRef - 90, kSub, 0, kOnTime, kNotValid).Submission(1)},
      {"OTC professional one day late", kProfessional, kOtc, {Sent(1, kRef - 91)}, {},
       Due(90, kRef - 91, kSub, -1, kOverdue, kNotValid).Submission(1)},
      {"offshore only: 30 days whatever the audience", kProfessional, kOffshoreOnly,
       {Sent(1, kRef - 31)}, {},
       Due(30, kRef - 31, kSub, -1, kOverdue, kNotValid).Submission(1).Offshore()},
      {"offshore only, general audience, due today", kGeneral, kOffshoreOnly,
       {Sent(1, kRef - 30)}, {},
       Due(30, kRef - 30, kSub, 0, kOnTime, kNotValid).Submission(1).Offshore()},
      {"both, professional: offshore 30 is shorter than OTC 90", kProfessional, kBoth,
       {Sent(1, kRef - 31)}, {}, Due(30, kRef - 31, kSub, -1, kOverdue, kNotValid).Submission(1)},
      {"both, general: OTC 7 is shorter than offshore 30", kGeneral, kBoth, {Sent(1, kRef - 8)},
       {}, Due(7, kRef - 8, kSub, -1, kOverdue, kNotValid).Submission(1)},
      {"never submitted", kGeneral, kOtc, {}, {}, Never(7)},
      {"sent after the reference date is not yet known", kGeneral, kOtc, {Sent(1, kRef + 1)}, {},
       Never(7)},
      {"sent at the last UTC second of the due date", kGeneral, kOtc, {SentLate(1, kRef - 7)}, {},
       Due(7, kRef - 7, kSub, 0, kOnTime, kNotValid).Submission(1)},
  };
}

std::vector<Case> ValidationCases() {
  return {
      {"latest validated", kGeneral, kOtc, {Sent(1, kRef - 2, kValidated)}, {},
       Due(7, kRef - 2, kSub, 5, kOnTime, kValid).Submission(1)},
      {"latest received, awaiting review", kGeneral, kOtc, {Sent(1, kRef - 2)}, {},
       Due(7, kRef - 2, kSub, 5, kOnTime, kNotValid).Submission(1)},
      {"latest rejected: received, not validated, must resubmit, still on time", kGeneral, kOtc,
       {Sent(1, kRef - 2, kRejected)}, {},
       Due(7, kRef - 2, kSub, 5, kOnTime, kNotValid).Submission(1).Resubmit()},
      {"validated after the reference date still reads received", kGeneral, kOtc,
       {Sent(1, kRef - 2, kValidated, kRef + 1)}, {},
       Due(7, kRef - 2, kSub, 5, kOnTime, kNotValid).Submission(1)},
      {"later submission supersedes a validated one", kGeneral, kOtc,
       {Sent(2, kRef - 1), Sent(1, kRef - 5, kValidated)}, {},
       Due(7, kRef - 1, kSub, 6, kOnTime, kNotValid).Submission(2)},
      {"resubmission after a rejection supersedes it", kGeneral, kOtc,
       {Sent(1, kRef - 5, kRejected), Sent(2, kRef - 3, kValidated)}, {},
       Due(7, kRef - 3, kSub, 4, kOnTime, kValid).Submission(2)},
      {"supersession follows submitted_at, not reference date", kGeneral, kOtc,
       {Correction(7, kRef - 1), Sent(8, kRef - 4, kValidated)}, {},
       Due(7, kRef - 1, kSub, 6, kOnTime, kNotValid).Submission(7)},
      {"same submitted_at: greatest id wins", kGeneral, kOtc,
       {Sent(9, kRef - 2, kValidated), Sent(3, kRef - 2, kRejected)}, {},
       Due(7, kRef - 2, kSub, 5, kOnTime, kValid).Submission(9)},
  };
}

// An exemption where the fund has no submission (as of the reference date): its last covered
// day is the validation date, which the deadline runs from.
std::vector<Case> ExemptionWithoutSubmissionCases() {
  const Exemption current = Exempt(5, kRef - 40, kRef + 10, kRef - 40);
  return {
      {"no submission, no exemption: never submitted", kGeneral, kOtc, {}, {}, Never(7)},
      {"in force, no submission: covered today", kGeneral, kOtc, {}, {current},
       Due(7, kRef, kExe, 7, kOnTime, kValid).Exempted(5)},
      {"starts on the date: in force, covered today", kGeneral, kOtc, {},
       {Exempt(5, kRef, kRef + 10, kRef)}, Due(7, kRef, kExe, 7, kOnTime, kValid).Exempted(5)},
      {"ends on the date: in force, covered today", kGeneral, kOtc, {},
       {Exempt(5, kRef - 40, kRef, kRef - 40)},
       Due(7, kRef, kExe, 7, kOnTime, kValid).Exempted(5)},
      {"ended yesterday: not validated, the clock runs from its last day", kGeneral, kOtc, {},
       {Exempt(5, kRef - 40, kRef - 1, kRef - 40)},
       Due(7, kRef - 1, kExe, 6, kOnTime, kNotReceived)},
      {"ended one period ago: due today, on time", kGeneral, kOtc, {},
       {Exempt(5, kRef - 40, kRef - 7, kRef - 40)},
       Due(7, kRef - 7, kExe, 0, kOnTime, kNotReceived)},
      {"ended one period and a day ago: overdue", kGeneral, kOtc, {},
       {Exempt(5, kRef - 40, kRef - 8, kRef - 40)},
       Due(7, kRef - 8, kExe, -1, kOverdue, kNotReceived)},
      {"ended long ago: overdue", kGeneral, kOtc, {}, {Exempt(5, kRef - 40, kRef - 20, kRef - 40)},
       Due(7, kRef - 20, kExe, -13, kOverdue, kNotReceived)},
      {"a submission sent after the date does not count: the exemption dates it", kGeneral, kOtc,
       {Sent(1, kRef + 1)}, {current}, Due(7, kRef, kExe, 7, kOnTime, kValid).Exempted(5)},
      {"not exposed but exempt: N/A, the validation date still shown", kGeneral, kNeither, {},
       {current}, NotMonitored(kRef, kExe).Exempted(5)},
      {"no exposure row but exempt: N/A", kGeneral, std::nullopt, {}, {current},
       NotMonitored(kRef, kExe).Exempted(5)},
  };
}

// An exemption never moves the deadline of a fund that has a submission: the submission's
// sending date does. In force, the exemption makes the fund RECEIVED_VALIDATED, late or not.
std::vector<Case> ExemptionWithSubmissionCases() {
  const Exemption current = Exempt(5, kRef - 40, kRef + 10, kRef - 40);
  return {
      {"in force, 20-day-old report: overdue, validated", kGeneral, kOtc, {Sent(1, kRef - 20)},
       {current}, Due(7, kRef - 20, kSub, -13, kOverdue, kValid).Submission(1).Exempted(5)},
      {"in force, report one period and a day old: overdue", kGeneral, kOtc, {Sent(1, kRef - 8)},
       {current}, Due(7, kRef - 8, kSub, -1, kOverdue, kValid).Submission(1).Exempted(5)},
      {"in force, report one period old: due today, on time", kGeneral, kOtc,
       {Sent(1, kRef - 7)}, {current},
       Due(7, kRef - 7, kSub, 0, kOnTime, kValid).Submission(1).Exempted(5)},
      {"in force, recent report: on time from the report", kGeneral, kOtc, {Sent(1, kRef - 2)},
       {current}, Due(7, kRef - 2, kSub, 5, kOnTime, kValid).Submission(1).Exempted(5)},
      {"in force, report sent on the date", kGeneral, kOtc, {Sent(1, kRef)}, {current},
       Due(7, kRef, kSub, 7, kOnTime, kValid).Submission(1).Exempted(5)},
      {"in force overrides a rejected latest's validation, not its deadline", kGeneral, kOtc,
       {Sent(1, kRef - 2, kRejected)}, {current},
       Due(7, kRef - 2, kSub, 5, kOnTime, kValid).Submission(1).Exempted(5).Resubmit()},
      {"starts on the date, old report: validated and overdue", kGeneral, kOtc,
       {Sent(1, kRef - 10)}, {Exempt(5, kRef, kRef + 10, kRef)},
       Due(7, kRef - 10, kSub, -3, kOverdue, kValid).Submission(1).Exempted(5)},
      {"ends on the date, old report: validated and overdue", kGeneral, kOtc,
       {Sent(1, kRef - 10)}, {Exempt(5, kRef - 40, kRef, kRef - 40)},
       Due(7, kRef - 10, kSub, -3, kOverdue, kValid).Submission(1).Exempted(5)},
      {"ended after the report: does not push the due date out", kGeneral, kOtc,
       {Sent(1, kRef - 10)}, {Exempt(5, kRef - 40, kRef - 1, kRef - 40)},
       Due(7, kRef - 10, kSub, -3, kOverdue, kNotValid).Submission(1)},
      {"ended before the report: the report drives the deadline", kGeneral, kOtc,
       {Sent(1, kRef - 3)}, {Exempt(5, kRef - 40, kRef - 20, kRef - 40)},
       Due(7, kRef - 3, kSub, 4, kOnTime, kNotValid).Submission(1)},
      {"not exposed, exempt, with a report: N/A, the report's date shown", kGeneral, kNeither,
       {Sent(1, kRef - 20)}, {current}, NotMonitored(kRef - 20, kSub).Submission(1).Exempted(5)},
  };
}

// Which exemption is in force on the date: grants, revocations and overlaps as known then.
std::vector<Case> ExemptionInForceCases() {
  return {
      {"revoked before the date: as if never granted", kGeneral, kOtc, {},
       {Exempt(5, kRef - 40, kRef + 10, kRef - 40, kRef - 1)}, Never(7)},
      {"revoked on the date: no longer in force", kGeneral, kOtc, {},
       {Exempt(5, kRef - 40, kRef + 10, kRef - 40, kRef)}, Never(7)},
      {"revoked after the date: still in force on it", kGeneral, kOtc, {},
       {Exempt(5, kRef - 40, kRef + 10, kRef - 40, kRef + 1)},
       Due(7, kRef, kExe, 7, kOnTime, kValid).Exempted(5)},
      {"granted after the date: not yet known", kGeneral, kOtc, {},
       {Exempt(5, kRef - 40, kRef + 10, kRef + 1)}, Never(7)},
      {"starts tomorrow: not in force", kGeneral, kOtc, {Sent(1, kRef - 2)},
       {Exempt(5, kRef + 1, kRef + 10, kRef - 1)},
       Due(7, kRef - 2, kSub, 5, kOnTime, kNotValid).Submission(1)},
      {"starts tomorrow, no submission: no validation date yet", kGeneral, kOtc, {},
       {Exempt(5, kRef + 1, kRef + 10, kRef - 1)}, Never(7)},
      {"two in force: the one granted last is reported", kGeneral, kOtc, {},
       {Exempt(5, kRef - 40, kRef + 10, kRef - 30), Exempt(6, kRef - 5, kRef + 3, kRef - 5)},
       Due(7, kRef, kExe, 7, kOnTime, kValid).Exempted(6)},
      {"two ended, no submission: the later end is the validation date", kGeneral, kOtc, {},
       {Exempt(5, kRef - 40, kRef - 3, kRef - 40), Exempt(6, kRef - 30, kRef - 9, kRef - 30)},
       Due(7, kRef - 3, kExe, 4, kOnTime, kNotReceived)},
  };
}

void CheckCase(const Case& c) {
  SCOPED_TRACE(c.name);
  SubmissionStatusInput input;
  input.fund.id = kFundId;
  input.fund.target_audience = c.audience;
  if (c.exposure) input.exposure = ExposureRow(*c.exposure);
  input.submissions = c.submissions;
  input.exemptions = c.exemptions;
  input.reference_date = kRef;
  absl::StatusOr<FundStatus> status = ComputeSubmissionStatus(input, RulesConfig{});
  ASSERT_TRUE(status.ok()) << status.status();
  const Expect& e = c.expect;
  EXPECT_EQ(EnumName(status->consolidated_exposure), EnumName(e.exposure));
  EXPECT_EQ(status->periodicity_days, e.periodicity);
  EXPECT_EQ(status->last_submission_date, e.last);
  EXPECT_EQ(EnumName(status->last_submission_source), EnumName(e.last_source));
  EXPECT_EQ(status->next_due_date,
            e.days_to_due ? std::optional<Date>(kRef + *e.days_to_due) : std::nullopt);
  EXPECT_EQ(status->days_to_due, e.days_to_due);
  EXPECT_EQ(EnumName(status->deadline_status), EnumName(e.deadline));
  EXPECT_EQ(EnumName(status->validation_status), EnumName(e.validation));
  EXPECT_EQ(status->submission_id, e.submission_id);
  EXPECT_EQ(status->exemption_id, e.exemption_id);
  EXPECT_EQ(status->resubmission_required, e.resubmit);
}

TEST(SubmissionStatus, DeadlineRules) {
  for (const Case& c : DeadlineCases()) CheckCase(c);
}

TEST(SubmissionStatus, ValidationRulesAndSupersession) {
  for (const Case& c : ValidationCases()) CheckCase(c);
}

TEST(SubmissionStatus, ExemptionDatesTheDeadlineOnlyWithoutSubmission) {
  for (const Case& c : ExemptionWithoutSubmissionCases()) CheckCase(c);
}

TEST(SubmissionStatus, ExemptionValidatesButNeverMovesASubmittersDeadline) {
  for (const Case& c : ExemptionWithSubmissionCases()) CheckCase(c);
}

TEST(SubmissionStatus, ExemptionInForceAsKnownOnTheDate) {
  for (const Case& c : ExemptionInForceCases()) CheckCase(c);
}

TEST(SubmissionStatus, ConsolidatedMarginIsExactLocalPlusOffshore) {
  MarginSubmission s = Sent(1, kRef - 1);
  s.local_margin = *Money::Parse("1234567.891234");
  s.offshore_margin = *Money::Parse("0.000001");
  const std::vector<MarginSubmission> submissions = {s};
  SubmissionStatusInput input{
      .fund = {.id = kFundId}, .submissions = submissions, .reference_date = kRef};
  absl::StatusOr<FundStatus> status = ComputeSubmissionStatus(input, RulesConfig{});
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->local_margin, s.local_margin);
  EXPECT_EQ(status->offshore_margin, s.offshore_margin);
  EXPECT_EQ(status->consolidated_margin->ToString(), "1234567.891235");
}

TEST(SubmissionStatus, ConsolidatedMarginOverflowIsOutOfRange) {
  MarginSubmission s = Sent(1, kRef - 1);
  s.local_margin = Money::FromMicros(std::numeric_limits<int64_t>::max());
  s.offshore_margin = Money::FromMicros(1);
  const std::vector<MarginSubmission> submissions = {s};
  SubmissionStatusInput input{
      .fund = {.id = kFundId}, .submissions = submissions, .reference_date = kRef};
  absl::StatusOr<FundStatus> status = ComputeSubmissionStatus(input, RulesConfig{});
  ASSERT_EQ(status.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(status.status().message()),
              HasSubstr("consolidated margin of submission 1 (fund 42) overflows"));
}

TEST(SubmissionStatus, CarriesInputDatesAndRuleVersion) {
  RulesConfig config;
  config.rule_version = "test-9";
  const std::vector<MarginSubmission> submissions = {Sent(3, kRef - 2)};
  SubmissionStatusInput input{.fund = {.id = kFundId}, .exposure = ExposureRow({.otc = true}),
                              .submissions = submissions, .reference_date = kRef};
  absl::StatusOr<FundStatus> status = ComputeSubmissionStatus(input, config);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->fund_id, kFundId);
  EXPECT_EQ(status->reference_date, kRef);
  EXPECT_EQ(status->rule_version, "test-9");
  EXPECT_EQ(status->exposure_position_date, kRef - 1);
  EXPECT_EQ(status->submission_reference_date, kRef - 3);
  EXPECT_EQ(status->submitted_at, At(kRef - 2));
  EXPECT_EQ(status->submission_state, kReceived);
}

TEST(SubmissionStatus, PeriodicityFollowsConfiguredPolicy) {
  RulesConfig config;
  config.periodicity_otc_general_days = 3;
  config.periodicity_otc_qualified_days = 20;
  config.periodicity_otc_professional_days = 40;
  config.periodicity_offshore_days = 25;
  struct Case {
    Flags flags;
    TargetAudience audience;
    std::optional<int32_t> days;
  };
  const std::vector<Case> cases = {
      {{.otc = true}, kGeneral, 3},       {{.otc = true}, kQualified, 20},
      {{.otc = true}, kProfessional, 40}, {{.offshore = true}, kGeneral, 25},
      {{.offshore = true}, kProfessional, 25},
      {{true, true}, kGeneral, 3},        {{true, true}, kQualified, 20},
      {{true, true}, kProfessional, 25},  {{}, kGeneral, std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PeriodicityDays(ExposureRow(c.flags), c.audience, config), c.days)
        << c.flags.otc << c.flags.offshore << " " << EnumName(c.audience);
  }
  EXPECT_EQ(PeriodicityDays(std::nullopt, kGeneral, config), std::nullopt);
}

TEST(SubmissionStatus, ExposureIsOtcFirstThenOffshore) {
  EXPECT_EQ(ConsolidateExposure(ExposureRow({.otc = true, .offshore = true})),
            ConsolidatedExposure::kOtc);
  EXPECT_EQ(ConsolidateExposure(ExposureRow({.otc = true})), ConsolidatedExposure::kOtc);
  EXPECT_EQ(ConsolidateExposure(ExposureRow({.offshore = true})), ConsolidatedExposure::kOffshore);
  EXPECT_EQ(ConsolidateExposure(ExposureRow({})), ConsolidatedExposure::kNone);
  EXPECT_EQ(ConsolidateExposure(std::nullopt), ConsolidatedExposure::kNone);
}

TEST(SubmissionStatus, DeadlineBoundaryIsInclusiveOfTheDueDate) {
  EXPECT_EQ(ClassifyDeadline(kRef, kRef - 1), DeadlineStatus::kOnTime);
  EXPECT_EQ(ClassifyDeadline(kRef, kRef), DeadlineStatus::kOnTime);
  EXPECT_EQ(ClassifyDeadline(kRef, kRef + 1), DeadlineStatus::kOverdue);
}

TEST(SubmissionStatus, InconsistentInputsAreInvalidArgument) {
  struct Case {
    std::string name;
    std::vector<MarginSubmission> submissions;
    std::vector<Exemption> exemptions;
    std::optional<FundExposure> exposure;
    std::string message;
  };
  MarginSubmission other_fund = Sent(4, kRef - 1);
  other_fund.fund_id = 7;
  Exemption other_exemption = Exempt(6, kRef, kRef, kRef);
  other_exemption.fund_id = 7;
  FundExposure other_exposure = ExposureRow({.otc = true});
  other_exposure.fund_id = 7;
  FundExposure future_exposure = ExposureRow({.otc = true});
  future_exposure.position_date = kRef + 1;
  const std::vector<Case> cases = {
      {"submission of another fund", {other_fund}, {}, {}, "submission 4 is for fund 7, not fund"},
      {"exemption of another fund", {}, {other_exemption}, {}, "exemption 6 is for fund 7"},
      {"exemption ending before it starts", {}, {Exempt(8, kRef, kRef - 1, kRef)}, {},
       "exemption 8 of fund 42 ends (2026-11-23) before it starts (2026-11-24)"},
      {"exposure of another fund", {}, {}, other_exposure, "exposure is for fund 7"},
      {"exposure after the reference date", {}, {}, future_exposure,
       "exposure of fund 42 is dated 2026-11-25, after the reference date 2026-11-24"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    SubmissionStatusInput input{.fund = {.id = kFundId}, .exposure = c.exposure,
                                .submissions = c.submissions, .exemptions = c.exemptions,
                                .reference_date = kRef};
    absl::StatusOr<FundStatus> status = ComputeSubmissionStatus(input, RulesConfig{});
    ASSERT_EQ(status.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.status().message()), HasSubstr(c.message));
  }
}

TEST(SubmissionStatus, EnumNamesMatchTheApi) {
  EXPECT_EQ(EnumName(ConsolidatedExposure::kNone), "NONE");
  EXPECT_EQ(EnumName(DeadlineStatus::kNeverSubmitted), "NEVER_SUBMITTED");
  EXPECT_EQ(EnumName(ValidationStatus::kReceivedNotValidated), "RECEIVED_NOT_VALIDATED");
  EXPECT_EQ(*ParseEnum<DeadlineStatus>("OVERDUE"), DeadlineStatus::kOverdue);
  EXPECT_EQ(*ParseEnum<ValidationStatus>("NOT_APPLICABLE"), ValidationStatus::kNotApplicable);
  EXPECT_EQ(ParseEnum<ConsolidatedExposure>("N/A").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace riskcap::rules
