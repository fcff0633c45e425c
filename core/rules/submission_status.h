// Submission-status rules (docs/rules.md): consolidated exposure, periodicity, deadline and
// validation
// status of one fund on a reference date. Pure functions: thread-safe, no I/O. Conventions and
// their reasons: docs/rules.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/date.h"
#include "core/enums.h"
#include "core/exposure.h"
#include "core/fund.h"
#include "core/margin_submission.h"
#include "core/money.h"
#include "core/rules/rules_config.h"

namespace riskcap::rules {

// The origin a fund is monitored for. NONE = not monitored ("N/A"), as ExposureOrigin in the API.
enum class ConsolidatedExposure { kOtc, kOffshore, kNone };
enum class DeadlineStatus { kOnTime, kOverdue, kNeverSubmitted, kNotApplicable };
enum class ValidationStatus {
  kReceivedValidated,
  kReceivedNotValidated,
  kNotReceived,
  kNotApplicable
};
// Which event set the effective last submission date.
enum class LastSubmissionSource { kNone, kSubmission, kExemption };

}  // namespace riskcap::rules

namespace riskcap {

template <>
struct EnumNames<rules::ConsolidatedExposure> {
  static constexpr std::string_view kType = "ConsolidatedExposure";
  static constexpr auto kNames = std::to_array<std::string_view>({"OTC", "OFFSHORE", "NONE"});
};
template <>
struct EnumNames<rules::DeadlineStatus> {
  static constexpr std::string_view kType = "DeadlineStatus";
  static constexpr auto kNames =
      std::to_array<std::string_view>({"ON_TIME", "OVERDUE", "NEVER_SUBMITTED", "NOT_APPLICABLE"});
};
template <>
struct EnumNames<rules::ValidationStatus> {
  static constexpr std::string_view kType = "ValidationStatus";
  static constexpr auto kNames = std::to_array<std::string_view>(
      {"RECEIVED_VALIDATED", "RECEIVED_NOT_VALIDATED", "NOT_RECEIVED", "NOT_APPLICABLE"});
};
template <>
struct EnumNames<rules::LastSubmissionSource> {
  static constexpr std::string_view kType = "LastSubmissionSource";
  static constexpr auto kNames =
      std::to_array<std::string_view>({"NONE", "SUBMISSION", "EXEMPTION"});
};

}  // namespace riskcap

namespace riskcap::rules {

// Everything the rules read about one fund. Spans are non-owning: they must outlive the call.
// Only what was known on `reference_date` counts: submissions sent (UTC date of submitted_at),
// decisions taken (decided_at), exemptions granted (granted_at) and revocations made (revoked_at)
// after that date are ignored, so a backfill reproduces the status as it stood.
struct SubmissionStatusInput {
  Fund fund;
  std::optional<FundExposure> exposure;  // the fund's row in the exposure snapshot; none = N/A
  absl::Span<const MarginSubmission> submissions;  // all of the fund's submissions, any order
  absl::Span<const Exemption> exemptions;          // all of the fund's exemptions, any order
  Date reference_date;
};

// One fund's submission status on a reference date, with the inputs' dates and the rule version.
struct FundStatus {
  int64_t fund_id = 0;
  Date reference_date;
  std::string rule_version;
  std::optional<Date> exposure_position_date;  // the exposure snapshot's positions date
  ConsolidatedExposure consolidated_exposure = ConsolidatedExposure::kNone;
  std::optional<int32_t> periodicity_days;  // none when not monitored
  // The effective (latest, superseding) submission as of the reference date.
  std::optional<int64_t> submission_id;
  std::optional<Date> submission_reference_date;
  std::optional<absl::Time> submitted_at;
  std::optional<SubmissionState> submission_state;  // as of the reference date
  // The exemption in force on the reference date.
  std::optional<int64_t> exemption_id;
  // The latest submission's sending date; where the fund has no submission, the validation
  // date (LastValidationDate). An exemption never moves the date of a fund that submitted.
  std::optional<Date> last_submission_date;
  LastSubmissionSource last_submission_source = LastSubmissionSource::kNone;
  std::optional<Date> next_due_date;   // monitored funds only
  std::optional<int32_t> days_to_due;  // next_due_date - reference_date; negative when overdue
  DeadlineStatus deadline_status = DeadlineStatus::kNotApplicable;
  ValidationStatus validation_status = ValidationStatus::kNotApplicable;
  bool resubmission_required = false;  // the effective submission was rejected
  std::optional<Money> local_margin;   // of the effective submission
  std::optional<Money> offshore_margin;
  std::optional<Money> consolidated_margin;  // local + offshore, exact
};

// OTC if the fund holds OTC options or swaps, else OFFSHORE if it holds offshore funds, else NONE.
ConsolidatedExposure ConsolidateExposure(const std::optional<FundExposure>& exposure);

// The reporting period: OTC by audience, OFFSHORE one period; exposed both ways, the shorter.
// None when the fund is not exposed.
std::optional<int32_t> PeriodicityDays(const std::optional<FundExposure>& exposure,
                                       TargetAudience audience, const RulesConfig& config);

// The latest submission sent on or before `as_of` (UTC date of submitted_at): greatest
// submitted_at, ties broken by greatest id. nullptr when there is none.
const MarginSubmission* LatestSubmission(absl::Span<const MarginSubmission> submissions,
                                         Date as_of);

// The state of `submission` as known on `as_of`: a decision taken later still reads RECEIVED.
SubmissionState StateAsOf(const MarginSubmission& submission, Date as_of);

// Whether `exemption` is in force on `date`: granted on or before it, valid_from <= date <=
// valid_to, and not revoked on or before it.
bool ExemptionInForce(const Exemption& exemption, Date date);

// The exemption in force on `date` that was granted last (ties: greatest id); nullptr if none.
const Exemption* ExemptionInForceOn(absl::Span<const Exemption> exemptions, Date date);

// The validation date that stands in for a submission where the fund has none: the last day on
// or before `as_of` that an exemption granted by then, and not revoked by then, covered the fund
// (its end, or `as_of` while it is in force).
std::optional<Date> LastValidationDate(absl::Span<const Exemption> exemptions, Date as_of);

// ON_TIME when reference_date <= next_due_date (due today is on time), OVERDUE from the day after.
DeadlineStatus ClassifyDeadline(Date next_due_date, Date reference_date);

// The whole status. InvalidArgument when a submission, exemption or the exposure belongs to
// another fund or the exposure is dated after the reference date; OutOfRange when local +
// offshore margin overflows.
absl::StatusOr<FundStatus> ComputeSubmissionStatus(const SubmissionStatusInput& input,
                                                   const RulesConfig& config);

}  // namespace riskcap::rules
