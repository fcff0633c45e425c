// Margin submission mapping.
#include "server/margin/convert_margin.h"

#include "absl/strings/str_cat.h"
#include "server/rpc/convert_common.h"
#include "server/rpc/rpc.h"

namespace riskcap::server {
namespace {

void CheckAmount(const Money& amount, const std::string& field, const std::string& text,
                 FieldErrors& errors) {
  if (amount < Money()) errors.Add(field, absl::StrCat("must be >= 0, got \"", text, "\""));
}

}  // namespace

absl::StatusOr<SubmissionInput> ParseSubmitRequest(const v1::SubmitMarginRequest& r, Date today) {
  FieldErrors errors;
  SubmissionInput in;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  in.request_id = r.request_id();
  in.fund_id = r.fund_id();
  if (r.fund_id() <= 0) errors.Add("fund_id", "must be a fund code > 0");
  in.reference_date = ParseDateField(r.reference_date(), "reference_date", errors);
  if (in.reference_date > today) {
    errors.Add("reference_date", absl::StrCat("must not be after today (", FormatDate(today), ")"));
  }
  in.local_margin = ParseMoneyField(r.local_margin(), "local_margin", errors);
  CheckAmount(in.local_margin, "local_margin", r.local_margin(), errors);
  in.offshore_margin = ParseMoneyField(r.offshore_margin(), "offshore_margin", errors);
  CheckAmount(in.offshore_margin, "offshore_margin", r.offshore_margin(), errors);
  in.methodology = r.methodology();
  if (in.methodology.empty() || in.methodology.size() > kMaxMethodologyLength) {
    errors.Add("methodology", "must be 1..4000 characters describing how the figures were computed");
  }
  if (!errors.empty()) return errors.ToStatus();
  return in;
}

std::string RequestIdOf(const std::string& idempotency_key) {
  size_t slash = idempotency_key.rfind('/');
  return slash == std::string::npos ? idempotency_key : idempotency_key.substr(slash + 1);
}

void ToProto(const MarginSubmission& s, int64_t manager_id, v1::MarginSubmission* out) {
  out->set_submission_id(s.id);
  out->set_fund_id(s.fund_id);
  out->set_manager_id(manager_id);
  out->set_reference_date(FormatDate(s.reference_date));
  out->set_local_margin(s.local_margin.ToString());
  out->set_offshore_margin(s.offshore_margin.ToString());
  auto consolidated = s.local_margin.Add(s.offshore_margin);
  out->set_consolidated_margin(consolidated.ok() ? consolidated->ToString() : "");
  out->set_methodology(s.methodology);
  out->set_state(ToProtoEnum<SubmissionState, v1::SubmissionState>(s.state));
  out->set_request_id(RequestIdOf(s.idempotency_key));
  out->set_content_hash(s.content_hash);
  ToProtoTime(s.submitted_at, out->mutable_receive_time());
  out->set_submitted_by(s.submitted_by);
  if (s.decided_at) ToProtoTime(*s.decided_at, out->mutable_decision_time());
  out->set_decided_by(s.decided_by);
  out->set_decision_reason(s.decision_reason);
}

}  // namespace riskcap::server
