// Finding and reminder conversions.
#include "server/findings/convert_finding.h"

#include <algorithm>

#include "server/rpc/convert_common.h"

namespace riskcap::server {

void ToProto(const Finding& f, v1::Finding* out) {
  out->set_finding_id(f.id);
  out->set_rule(f.rule);
  out->set_severity(ToProtoEnum<FindingSeverity, v1::FindingSeverity>(f.severity));
  out->set_state(ToProtoEnum<FindingState, v1::FindingState>(f.state));
  out->set_fund_id(f.fund_id.value_or(0));
  out->set_reference_date(FormatDate(f.reference_date));
  out->set_job_run_id(f.job_run_id.value_or(0));
  out->set_message(f.message);
  ToProtoTime(f.raised_at, out->mutable_create_time());
  if (f.acknowledged_at) ToProtoTime(*f.acknowledged_at, out->mutable_acknowledge_time());
  out->set_acknowledged_by(f.acknowledged_by);
  if (f.resolved_at) ToProtoTime(*f.resolved_at, out->mutable_resolve_time());
  out->set_resolved_by(f.resolved_by);
  out->set_resolution(f.resolution);
}

void ToProto(const Reminder& r, v1::Reminder* out) {
  out->set_reminder_id(r.id);
  out->set_manager_id(r.manager_id);
  out->set_reference_date(FormatDate(r.reference_date));
  out->set_body(r.body);
  out->set_content_hash(r.content_hash);
  ToProtoTime(r.created_at, out->mutable_create_time());
}

db::FindingFilter FindingFilterFromProto(const v1::ListFindingsRequest& r, FieldErrors& errors) {
  db::FindingFilter filter;
  if (r.fund_id() < 0) errors.Add("fund_id", "must be >= 0 (0 = any fund)");
  if (r.fund_id() > 0) filter.fund_id = r.fund_id();
  if (r.state() != v1::FINDING_STATE_UNSPECIFIED) {
    filter.state = FromProtoEnum<FindingState>(r.state(), "state", errors);
  }
  if (r.minimum_severity() != v1::FINDING_SEVERITY_UNSPECIFIED) {
    filter.min_severity =
        FromProtoEnum<FindingSeverity>(r.minimum_severity(), "minimum_severity", errors);
  }
  if (!r.rule().empty()) filter.rule = r.rule();
  if (!r.reference_date().empty()) {
    filter.reference_date = ParseDateField(r.reference_date(), "reference_date", errors);
  }
  return filter;
}

bool WatchMatches(const v1::WatchFindingsRequest& r, const Finding& f) {
  if (r.fund_id() > 0 && f.fund_id != r.fund_id()) return false;
  if (r.rules_size() > 0 &&
      std::find(r.rules().begin(), r.rules().end(), f.rule) == r.rules().end()) {
    return false;
  }
  if (r.minimum_severity() != v1::FINDING_SEVERITY_UNSPECIFIED &&
      ToProtoEnum<FindingSeverity, v1::FindingSeverity>(f.severity) < r.minimum_severity()) {
    return false;
  }
  return true;
}

}  // namespace riskcap::server
