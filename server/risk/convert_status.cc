// Fund status rows and KPIs to protos.
#include "server/risk/convert_status.h"

#include <array>

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

namespace {

using S = v1::RiskCapitalSummary;

// One count of the summary: the funds of a group are added to it when `applies`.
struct Count {
  bool applies;
  void (S::*set)(int32_t);
  int32_t (S::*get)() const;
};

// Adds one group of funds that share every status the summary counts.
void AddGroup(const db::FundStatusSummary::Group& g, S* out) {
  using rules::ConsolidatedExposure;
  using rules::DeadlineStatus;
  using rules::LimitStatus;
  using rules::ValidationStatus;
  const Count counts[] = {
      {true, &S::set_monitored_fund_count, &S::monitored_fund_count},
      {g.exposure == ConsolidatedExposure::kOtc, &S::set_otc_fund_count, &S::otc_fund_count},
      {g.exposure == ConsolidatedExposure::kOffshore, &S::set_offshore_fund_count,
       &S::offshore_fund_count},
      {g.deadline == DeadlineStatus::kOnTime, &S::set_on_time_count, &S::on_time_count},
      {g.deadline == DeadlineStatus::kOverdue, &S::set_overdue_count, &S::overdue_count},
      {g.deadline == DeadlineStatus::kNeverSubmitted, &S::set_never_submitted_count,
       &S::never_submitted_count},
      {g.validation == ValidationStatus::kReceivedValidated, &S::set_validated_count,
       &S::validated_count},
      {g.validation == ValidationStatus::kReceivedNotValidated, &S::set_not_validated_count,
       &S::not_validated_count},
      {g.validation == ValidationStatus::kNotReceived, &S::set_not_received_count,
       &S::not_received_count},
      {g.limit == LimitStatus::kWithinLimit, &S::set_within_limit_count, &S::within_limit_count},
      {g.limit == LimitStatus::kWarning, &S::set_warning_count, &S::warning_count},
      {g.limit == LimitStatus::kBreach, &S::set_breach_count, &S::breach_count},
      {g.limit == LimitStatus::kCritical, &S::set_critical_count, &S::critical_count},
      {g.stale, &S::set_stale_count, &S::stale_count},
  };
  for (const Count& c : counts) {
    if (c.applies) (out->*c.set)((out->*c.get)() + static_cast<int32_t>(g.funds));
  }
}

}  // namespace

void Summarize(const db::FundStatusSummary& summary, v1::RiskCapitalSummary* out) {
  std::array<int64_t, EnumNames<RegulatoryClass>::kNames.size()> per_class{};
  for (const db::FundStatusSummary::Group& g : summary.groups) {
    AddGroup(g, out);
    per_class[static_cast<size_t>(g.regulatory_class)] += g.funds;
  }
  if (summary.max_utilisation) {
    out->mutable_max_utilisation()->set_value(*summary.max_utilisation);
    out->set_max_utilisation_fund_id(summary.max_utilisation_fund_id);
  }
  const int32_t monitored = out->monitored_fund_count();
  out->set_received_count(out->validated_count() + out->not_validated_count());
  if (monitored > 0) {
    out->mutable_on_time_rate()->set_value(static_cast<double>(out->on_time_count()) / monitored);
    out->mutable_validation_rate()->set_value(static_cast<double>(out->validated_count()) /
                                              monitored);
    out->mutable_otc_share()->set_value(static_cast<double>(out->otc_fund_count()) / monitored);
  }
  for (size_t i = 0; i < per_class.size(); ++i) {
    if (per_class[i] == 0) continue;
    v1::ClassFundCount* c = out->add_funds_per_class();
    c->set_regulatory_class(
        ToProtoEnum<RegulatoryClass, v1::RegulatoryClass>(static_cast<RegulatoryClass>(i)));
    c->set_fund_count(static_cast<int32_t>(per_class[i]));
  }
  out->set_open_finding_count(static_cast<int32_t>(summary.open_findings));
}

}  // namespace riskcap::server
