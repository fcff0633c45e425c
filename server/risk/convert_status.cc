// Fund status rows and KPIs to protos.
#include "server/risk/convert_status.h"

#include "core/rules/kpis.h"
#include "server/rpc/convert_common.h"

namespace riskcap::server {
namespace {

std::string OptMoney(const std::optional<Money>& m) { return m ? m->ToString() : std::string(); }
std::string OptDate(const std::optional<Date>& d) { return d ? FormatDate(*d) : std::string(); }

void ToProto(const std::optional<rules::MarginComponent>& c, v1::MarginComponent* out) {
  if (!c) return;
  out->set_amount(c->amount.ToString());
  out->set_source(ToProtoEnum<rules::MarginSource, v1::MarginSource>(c->source));
  out->set_source_date(FormatDate(c->date));
}

void ToProto(const rules::RiskCapitalResult& r, v1::RiskCapital* out) {
  out->set_nav(OptMoney(r.nav));
  out->set_nav_date(OptDate(r.nav_date));
  ToProto(r.exchange_margin, out->mutable_exchange_margin());
  ToProto(r.otc_margin, out->mutable_otc_margin());
  ToProto(r.offshore_margin, out->mutable_offshore_margin());
  out->set_gross_margin(r.gross_margin.ToString());
  if (r.utilisation) out->mutable_utilisation()->set_value(*r.utilisation);
  if (r.cap.cap) out->mutable_cap()->set_value(*r.cap.cap);
  // CapSource has no proto value for NONE: it is UNSPECIFIED (0).
  out->set_cap_source(static_cast<v1::CapSource>(static_cast<int>(r.cap.source)));
  out->set_limit_status(ToProtoEnum<rules::LimitStatus, v1::LimitStatus>(r.limit_status));
  out->set_stale(r.stale);
  out->set_breach_start_date(OptDate(r.breach.start_date));
  out->set_breach_business_days(r.breach.business_days);
}

}  // namespace

void ToProto(const rules::FundStatusRow& row, const std::string& fund_name, v1::FundStatus* out) {
  const rules::FundStatus& s = row.status;
  out->set_fund_id(s.fund_id);
  out->set_fund_name(fund_name);
  out->set_manager_id(row.manager_id);
  out->set_consolidated_exposure(
      ToProtoEnum<rules::ConsolidatedExposure, v1::ExposureOrigin>(s.consolidated_exposure));
  out->set_periodicity_days(s.periodicity_days.value_or(0));
  out->set_submission_id(s.submission_id.value_or(0));
  out->set_last_submission_date(OptDate(s.last_submission_date));
  out->set_next_due_date(OptDate(s.next_due_date));
  out->set_days_to_due(s.days_to_due.value_or(0));
  out->set_deadline_status(ToProtoEnum<rules::DeadlineStatus, v1::DeadlineStatus>(s.deadline_status));
  out->set_validation_status(
      ToProtoEnum<rules::ValidationStatus, v1::ValidationStatus>(s.validation_status));
  out->set_exemption_id(s.exemption_id.value_or(0));
  out->set_local_margin(OptMoney(s.local_margin));
  out->set_offshore_margin(OptMoney(s.offshore_margin));
  out->set_consolidated_margin(OptMoney(s.consolidated_margin));
  ToProto(row.risk, out->mutable_risk_capital());
  v1::MarginBenchmark* b = out->mutable_benchmark();
  b->set_schedule_initial_margin(OptMoney(row.benchmark.schedule_im));
  b->set_saccr_ead(OptMoney(row.benchmark.saccr_ead));
  b->set_position_count(row.benchmark.position_count);
  b->set_excluded_position_count(row.benchmark.excluded_count);
}

void ToProto(const SnapshotVersion& v, v1::StatusSnapshot* out) {
  out->set_reference_date(FormatDate(v.reference_date));
  out->set_version(v.version);
  out->set_load_id(v.id);
  out->set_job_run_id(v.job_run_id.value_or(0));
}

void Summarize(const db::FundStatusSummary& summary, v1::RiskCapitalSummary* out) {
  const rules::StatusKpis k = rules::CountStatusKpis(summary.groups);
  auto count = [](int64_t n) { return static_cast<int32_t>(n); };
  out->set_monitored_fund_count(count(k.monitored));
  out->set_otc_fund_count(count(k.otc));
  out->set_offshore_fund_count(count(k.offshore));
  out->set_on_time_count(count(k.on_time));
  out->set_overdue_count(count(k.overdue));
  out->set_never_submitted_count(count(k.never_submitted));
  out->set_validated_count(count(k.validated));
  out->set_not_validated_count(count(k.not_validated));
  out->set_not_received_count(count(k.not_received));
  out->set_received_count(count(k.received()));
  out->set_within_limit_count(count(k.within_limit));
  out->set_warning_count(count(k.warning));
  out->set_breach_count(count(k.breach));
  out->set_critical_count(count(k.critical));
  out->set_stale_count(count(k.stale));
  if (auto rate = k.on_time_rate()) out->mutable_on_time_rate()->set_value(*rate);
  if (auto rate = k.validation_rate()) out->mutable_validation_rate()->set_value(*rate);
  if (auto share = k.otc_share()) out->mutable_otc_share()->set_value(*share);
  for (size_t i = 0; i < k.per_class.size(); ++i) {
    if (k.per_class[i] == 0) continue;
    v1::ClassFundCount* c = out->add_funds_per_class();
    c->set_regulatory_class(
        ToProtoEnum<RegulatoryClass, v1::RegulatoryClass>(static_cast<RegulatoryClass>(i)));
    c->set_fund_count(count(k.per_class[i]));
  }
  if (summary.max_utilisation) {
    out->mutable_max_utilisation()->set_value(*summary.max_utilisation);
    out->set_max_utilisation_fund_id(summary.max_utilisation_fund_id);
  }
  out->set_open_finding_count(count(summary.open_findings));
}

}  // namespace riskcap::server
