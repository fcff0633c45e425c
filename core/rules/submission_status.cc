// Submission-status rules: exposure, periodicity, effective last submission, deadline, validation.
#include "core/rules/submission_status.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace riskcap::rules {
namespace {

int32_t OtcPeriodicityDays(TargetAudience audience, const RulesConfig& config) {
  switch (audience) {
    case TargetAudience::kGeneral:
      return config.periodicity_otc_general_days;
    case TargetAudience::kQualified:
      return config.periodicity_otc_qualified_days;
    case TargetAudience::kProfessional:
      return config.periodicity_otc_professional_days;
  }
  return config.periodicity_otc_general_days;  // unreachable: the shortest is the safe choice
}

// Greater = later: submitted_at first, then id, so "latest" is a total order.
bool SentLater(const MarginSubmission& a, const MarginSubmission& b) {
  if (a.submitted_at != b.submitted_at) return a.submitted_at > b.submitted_at;
  return a.id > b.id;
}

bool GrantedAndNotRevoked(const Exemption& exemption, Date as_of) {
  if (UtcDate(exemption.granted_at) > as_of) return false;
  return !exemption.revoked_at || UtcDate(*exemption.revoked_at) > as_of;
}

absl::Status CheckInputs(const SubmissionStatusInput& input) {
  const int64_t fund_id = input.fund.id;
  for (const MarginSubmission& s : input.submissions) {
    if (s.fund_id != fund_id) {
      return absl::InvalidArgumentError(
          absl::StrCat("submission ", s.id, " is for fund ", s.fund_id, ", not fund ", fund_id));
    }
  }
  for (const Exemption& e : input.exemptions) {
    if (e.fund_id != fund_id) {
      return absl::InvalidArgumentError(
          absl::StrCat("exemption ", e.id, " is for fund ", e.fund_id, ", not fund ", fund_id));
    }
    if (e.valid_to < e.valid_from) {
      return absl::InvalidArgumentError(
          absl::StrCat("exemption ", e.id, " of fund ", fund_id, " ends (", FormatDate(e.valid_to),
                       ") before it starts (", FormatDate(e.valid_from), ")"));
    }
  }
  if (input.exposure && input.exposure->fund_id != fund_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("exposure is for fund ", input.exposure->fund_id, ", not fund ", fund_id));
  }
  if (input.exposure && input.exposure->position_date > input.reference_date) {
    return absl::InvalidArgumentError(absl::StrCat(
        "exposure of fund ", fund_id, " is dated ", FormatDate(input.exposure->position_date),
        ", after the reference date ", FormatDate(input.reference_date)));
  }
  return absl::OkStatus();
}

// Fills the effective submission's identity, state and margins.
absl::Status FillSubmission(const MarginSubmission& latest, Date as_of, FundStatus& status) {
  status.submission_id = latest.id;
  status.submission_reference_date = latest.reference_date;
  status.submitted_at = latest.submitted_at;
  status.submission_state = StateAsOf(latest, as_of);
  status.resubmission_required = status.submission_state == SubmissionState::kRejected;
  status.local_margin = latest.local_margin;
  status.offshore_margin = latest.offshore_margin;
  absl::StatusOr<Money> consolidated = latest.local_margin.Add(latest.offshore_margin);
  if (!consolidated.ok()) {
    return absl::OutOfRangeError(absl::StrCat("consolidated margin of submission ", latest.id,
                                              " (fund ", latest.fund_id,
                                              ") overflows: ", consolidated.status().message()));
  }
  status.consolidated_margin = *consolidated;
  return absl::OkStatus();
}

// Effective last submission: the latest submission's sending date; only where the fund has no
// submission, the validation date (the last day an exemption covered it). An exemption never
// moves the deadline of a fund that reported: it validates, it does not report.
void FillLastSubmission(const MarginSubmission* latest, const SubmissionStatusInput& input,
                        FundStatus& status) {
  if (latest != nullptr) {
    status.last_submission_date = UtcDate(latest->submitted_at);
    status.last_submission_source = LastSubmissionSource::kSubmission;
    return;
  }
  status.last_submission_date = LastValidationDate(input.exemptions, input.reference_date);
  if (status.last_submission_date) {
    status.last_submission_source = LastSubmissionSource::kExemption;
  }
}

void FillDeadline(FundStatus& status) {
  if (!status.periodicity_days) {
    status.deadline_status = DeadlineStatus::kNotApplicable;
    return;
  }
  if (!status.last_submission_date) {
    status.deadline_status = DeadlineStatus::kNeverSubmitted;
    return;
  }
  status.next_due_date = *status.last_submission_date + *status.periodicity_days;
  status.days_to_due = static_cast<int32_t>(*status.next_due_date - status.reference_date);
  status.deadline_status = ClassifyDeadline(*status.next_due_date, status.reference_date);
}

ValidationStatus Validation(const FundStatus& status) {
  if (status.consolidated_exposure == ConsolidatedExposure::kNone) {
    return ValidationStatus::kNotApplicable;
  }
  if (status.exemption_id) return ValidationStatus::kReceivedValidated;
  if (!status.submission_state) return ValidationStatus::kNotReceived;
  return *status.submission_state == SubmissionState::kValidated
             ? ValidationStatus::kReceivedValidated
             : ValidationStatus::kReceivedNotValidated;
}

}  // namespace

ConsolidatedExposure ConsolidateExposure(const std::optional<FundExposure>& exposure) {
  if (!exposure) return ConsolidatedExposure::kNone;
  if (exposure->otc) return ConsolidatedExposure::kOtc;
  if (exposure->offshore) return ConsolidatedExposure::kOffshore;
  return ConsolidatedExposure::kNone;
}

std::optional<int32_t> PeriodicityDays(const std::optional<FundExposure>& exposure,
                                       TargetAudience audience, const RulesConfig& config) {
  std::optional<int32_t> days;
  if (exposure && exposure->otc) days = OtcPeriodicityDays(audience, config);
  if (exposure && exposure->offshore) {
    days =
        std::min(days.value_or(config.periodicity_offshore_days), config.periodicity_offshore_days);
  }
  return days;
}

const MarginSubmission* LatestSubmission(absl::Span<const MarginSubmission> submissions,
                                         Date as_of) {
  const MarginSubmission* latest = nullptr;
  for (const MarginSubmission& s : submissions) {
    if (UtcDate(s.submitted_at) > as_of) continue;
    if (latest == nullptr || SentLater(s, *latest)) latest = &s;
  }
  return latest;
}

SubmissionState StateAsOf(const MarginSubmission& submission, Date as_of) {
  if (submission.decided_at && UtcDate(*submission.decided_at) > as_of) {
    return SubmissionState::kReceived;
  }
  return submission.state;
}

bool ExemptionInForce(const Exemption& exemption, Date date) {
  return GrantedAndNotRevoked(exemption, date) && exemption.valid_from <= date &&
         date <= exemption.valid_to;
}

const Exemption* ExemptionInForceOn(absl::Span<const Exemption> exemptions, Date date) {
  const Exemption* chosen = nullptr;
  for (const Exemption& e : exemptions) {
    if (!ExemptionInForce(e, date)) continue;
    if (chosen == nullptr || e.granted_at > chosen->granted_at ||
        (e.granted_at == chosen->granted_at && e.id > chosen->id)) {
      chosen = &e;
    }
  }
  return chosen;
}

std::optional<Date> LastValidationDate(absl::Span<const Exemption> exemptions, Date as_of) {
  std::optional<Date> last;
  for (const Exemption& e : exemptions) {
    if (!GrantedAndNotRevoked(e, as_of) || e.valid_from > as_of) continue;
    const Date covered_until = std::min(e.valid_to, as_of);
    if (!last || covered_until > *last) last = covered_until;
  }
  return last;
}

DeadlineStatus ClassifyDeadline(Date next_due_date, Date reference_date) {
  return reference_date <= next_due_date ? DeadlineStatus::kOnTime : DeadlineStatus::kOverdue;
}

absl::StatusOr<FundStatus> ComputeSubmissionStatus(const SubmissionStatusInput& input,
                                                   const RulesConfig& config) {
  RETURN_IF_ERROR(CheckInputs(input));
  const Date as_of = input.reference_date;
  FundStatus status;
  status.fund_id = input.fund.id;
  status.reference_date = as_of;
  status.rule_version = config.rule_version;
  if (input.exposure) status.exposure_position_date = input.exposure->position_date;
  status.consolidated_exposure = ConsolidateExposure(input.exposure);
  status.periodicity_days = PeriodicityDays(input.exposure, input.fund.target_audience, config);
  const MarginSubmission* latest = LatestSubmission(input.submissions, as_of);
  if (latest != nullptr) RETURN_IF_ERROR(FillSubmission(*latest, as_of, status));
  if (const Exemption* exemption = ExemptionInForceOn(input.exemptions, as_of)) {
    status.exemption_id = exemption->id;
  }
  FillLastSubmission(latest, input, status);
  FillDeadline(status);
  status.validation_status = Validation(status);
  return status;
}

}  // namespace riskcap::rules
