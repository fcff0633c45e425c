// GatherDashboardData: the RPCs behind the HTML dashboard.
#include "client/report_gather.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/proto_format.h"
#include "client/report_format.h"
#include "client/report_fund_view.h"
#include "core/date.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "riskcap/v1/risk.grpc.pb.h"
#include "riskcap/v1/snapshot.grpc.pb.h"

namespace riskcap::client {
namespace {

using Risk = v1::RiskService::Stub;
using Snap = v1::SnapshotService::Stub;

struct Registry {
  std::map<int64_t, v1::Fund> funds;
  std::map<int64_t, std::string> managers;
};

absl::StatusOr<Registry> ReadRegistry(const CommandContext& context) {
  ASSIGN_OR_RETURN(auto client, context.Open<v1::FundService>());
  Registry out;
  v1::ListFundsRequest funds;
  funds.set_include_inactive(true);
  funds.set_page_size(1000);
  do {
    v1::ListFundsResponse page;
    RETURN_IF_ERROR(client.Call(&v1::FundService::Stub::ListFunds, funds, &page));
    for (const v1::Fund& f : page.funds()) out.funds[f.fund_id()] = f;
    funds.set_page_token(page.next_page_token());
  } while (!funds.page_token().empty());
  v1::ListManagersRequest managers;
  managers.set_page_size(1000);
  do {
    v1::ListManagersResponse page;
    RETURN_IF_ERROR(client.Call(&v1::FundService::Stub::ListManagers, managers, &page));
    for (const v1::Manager& m : page.managers()) out.managers[m.manager_id()] = m.name();
    managers.set_page_token(page.next_page_token());
  } while (!managers.page_token().empty());
  return out;
}

// The day each validated submission up to `date` was validated, by submission id.
absl::StatusOr<std::map<int64_t, std::string>> ValidationDates(const CommandContext& context,
                                                               const std::string& date) {
  ASSIGN_OR_RETURN(auto margin, context.Open<v1::MarginService>());
  v1::ListSubmissionsRequest request;
  request.set_end_date(date);
  request.set_state(v1::SUBMISSION_STATE_VALIDATED);
  request.set_page_size(1000);
  std::map<int64_t, std::string> out;
  do {
    v1::ListSubmissionsResponse page;
    RETURN_IF_ERROR(margin.Call(&v1::MarginService::Stub::ListSubmissions, request, &page));
    for (const v1::MarginSubmission& s : page.submissions()) {
      if (s.has_decision_time()) {
        absl::Time t = absl::FromUnixSeconds(s.decision_time().seconds());
        out[s.submission_id()] = absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
      }
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return out;
}

TrackingRow Row(const v1::FundStatus& s, const Registry& r) {
  TrackingRow row;
  row.fund_id = s.fund_id();
  row.fund_name = s.fund_name();
  auto manager = r.managers.find(s.manager_id());
  row.manager_name =
      manager == r.managers.end() ? absl::StrCat("#", s.manager_id()) : manager->second;
  auto fund = r.funds.find(s.fund_id());
  if (fund != r.funds.end()) {
    row.regulatory_class = EnumText(fund->second.regulatory_class());
    row.audience = EnumText(fund->second.target_audience());
  }
  row.exposure = EnumText(s.consolidated_exposure());
  row.last_submission_date = s.last_submission_date();
  row.next_due_date = s.next_due_date();
  row.days_to_due = s.days_to_due();
  row.deadline_status = EnumText(s.deadline_status());
  row.validation_status = EnumText(s.validation_status());
  const v1::RiskCapital& rc = s.risk_capital();
  row.limit_status = EnumText(rc.limit_status());
  row.nav = rc.nav();
  row.gross_margin = rc.gross_margin();
  if (rc.has_utilisation()) row.utilisation = rc.utilisation().value();
  if (rc.has_cap()) row.cap = rc.cap().value();
  return row;
}

// The monitored funds' statuses of exactly the snapshot the summary read.
absl::StatusOr<std::vector<v1::FundStatus>> ListStatuses(const CommandContext& context,
                                                         const v1::StatusSnapshot& snapshot) {
  ASSIGN_OR_RETURN(auto risk, context.Open<v1::RiskService>());
  v1::ListFundStatusRequest request;
  request.set_as_of_date(snapshot.reference_date());
  request.mutable_version()->set_value(snapshot.version());
  request.set_page_size(1000);
  std::vector<v1::FundStatus> out;
  do {
    v1::ListFundStatusResponse page;
    RETURN_IF_ERROR(risk.Call(&Risk::ListFundStatus, request, &page));
    out.insert(out.end(), page.statuses().begin(), page.statuses().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return out;
}

}  // namespace

std::vector<int64_t> DefaultFundViews(const std::vector<TrackingRow>& rows, int count) {
  std::vector<const TrackingRow*> sorted;
  for (const TrackingRow& r : rows) {
    if (r.cap && r.utilisation) sorted.push_back(&r);  // no cap: utilisation is not applicable
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](const TrackingRow* a, const TrackingRow* b) {
    return *a->utilisation > *b->utilisation;
  });
  std::vector<int64_t> out;
  for (size_t i = 0; i < sorted.size() && static_cast<int>(i) < count; ++i) {
    out.push_back(sorted[i]->fund_id);
  }
  return out;
}

absl::StatusOr<DashboardData> GatherDashboardData(const CommandContext& context,
                                                  const ReportOptions& options) {
  ASSIGN_OR_RETURN(auto risk, context.Open<v1::RiskService>());
  v1::GetRiskCapitalSummaryRequest summary_request;
  summary_request.set_as_of_date(options.date);
  v1::RiskCapitalSummary summary;
  RETURN_IF_ERROR(risk.Call(&Risk::GetRiskCapitalSummary, summary_request, &summary));
  DashboardData data;
  data.status_date = summary.snapshot().reference_date();
  data.status_version = summary.snapshot().version();
  data.generated_at = FormatTimestamp(absl::Now());
  ASSIGN_OR_RETURN(std::vector<v1::FundStatus> statuses, ListStatuses(context, summary.snapshot()));
  ASSIGN_OR_RETURN(Registry registry, ReadRegistry(context));
  ASSIGN_OR_RETURN(auto validated, ValidationDates(context, data.status_date));
  for (const v1::FundStatus& s : statuses) {
    data.tracking.push_back(Row(s, registry));
    auto it = validated.find(s.submission_id());
    if (it != validated.end()) data.tracking.back().validation_date = it->second;
  }
  ASSIGN_OR_RETURN(Date status_date, ParseDate(data.status_date));
  std::vector<int64_t> wanted = options.funds.empty()
                                    ? DefaultFundViews(data.tracking, options.default_fund_count)
                                    : options.funds;
  for (int64_t fund_id : wanted) {
    auto it = std::find_if(statuses.begin(), statuses.end(),
                           [&](const v1::FundStatus& s) { return s.fund_id() == fund_id; });
    if (it == statuses.end()) {
      return absl::NotFoundError(absl::StrCat("fund ", fund_id, " is not in the status of ",
                                              data.status_date, " (not monitored or unknown)"));
    }
    auto fund = registry.funds.find(fund_id);
    ASSIGN_OR_RETURN(FundView view,
                     GatherFundView(context, status_date, *it, data.tracking[it - statuses.begin()],
                                    fund == registry.funds.end() ? nullptr : &fund->second));
    data.funds.push_back(std::move(view));
  }
  return data;
}

}  // namespace riskcap::client
