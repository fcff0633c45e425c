// GatherFundView: the RPCs behind one fund's dashboard section.
#include "client/report_fund_view.h"

#include <map>

#include "absl/strings/str_format.h"
#include "client/proto_format.h"
#include "client/report_format.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "riskcap/v1/snapshot.grpc.pb.h"

namespace riskcap::client {
namespace {

using Snap = v1::SnapshotService::Stub;
constexpr int kMaxPositions = 1000;

std::string MonthOf(const std::string& date) { return date.substr(0, 7); }

// Closing NAV of each month's last NAV date.
absl::Status ReadNav(const ServiceClient<v1::SnapshotService>& snap, int64_t fund_id, Date from,
                     Date to, std::map<std::string, MonthPoint>& months) {
  v1::ListNavHistoryRequest request;
  request.set_fund_id(fund_id);
  request.set_start_date(FormatDate(from));
  request.set_end_date(FormatDate(to));
  request.set_page_size(1000);
  do {
    v1::ListNavHistoryResponse page;
    RETURN_IF_ERROR(snap.Call(&Snap::ListNavHistory, request, &page));
    for (const v1::NavHistoryEntry& e : page.entries()) {  // oldest first: the last one wins
      auto it = months.find(MonthOf(e.nav_date()));
      if (it != months.end()) it->second.nav = AmountValue(e.closing_nav());
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return absl::OkStatus();
}

// The consolidated margin of each month's latest non-rejected submission; returns the
// methodology of the latest one overall.
absl::StatusOr<std::string> ReadMargins(const CommandContext& context, int64_t fund_id, Date from,
                                        Date to, std::map<std::string, MonthPoint>& months) {
  ASSIGN_OR_RETURN(auto margin, context.Open<v1::MarginService>());
  v1::ListSubmissionsRequest request;
  request.set_fund_id(fund_id);
  request.set_start_date(FormatDate(from));
  request.set_end_date(FormatDate(to));
  request.set_page_size(1000);
  std::map<std::string, std::pair<std::string, int64_t>> latest;  // month -> (date, id)
  std::string methodology, methodology_key;
  do {
    v1::ListSubmissionsResponse page;
    RETURN_IF_ERROR(margin.Call(&v1::MarginService::Stub::ListSubmissions, request, &page));
    for (const v1::MarginSubmission& s : page.submissions()) {
      if (s.state() == v1::SUBMISSION_STATE_REJECTED) continue;
      auto key = std::make_pair(s.reference_date(), s.submission_id());
      auto it = months.find(MonthOf(s.reference_date()));
      if (it == months.end() || (latest.count(it->first) && latest[it->first] > key)) continue;
      latest[it->first] = key;
      it->second.margin = AmountValue(s.consolidated_margin());
      std::string overall = absl::StrFormat("%s/%020d", s.reference_date(), s.submission_id());
      if (overall > methodology_key) methodology_key = overall, methodology = s.methodology();
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return methodology;
}

// Offshore market value from the exposure snapshot current at each month's end.
absl::Status ReadOffshore(const ServiceClient<v1::SnapshotService>& snap, int64_t fund_id, Date to,
                          std::map<std::string, MonthPoint>& months) {
  for (auto& [month, point] : months) {
    Date first_of_next = Date(absl::CivilMonth(ParseDate(month + "-01").value()) + 1);
    Date month_end = std::min(first_of_next - 1, to);
    v1::GetExposureRequest request;
    request.set_fund_id(fund_id);
    request.set_as_of_date(FormatDate(month_end));
    v1::FundExposure exposure;
    absl::Status st = snap.Call(&Snap::GetExposure, request, &exposure);
    if (absl::IsNotFound(st)) continue;  // no exposure snapshot yet at that month's end
    RETURN_IF_ERROR(st);
    if (MonthOf(exposure.position_date()) == month) {
      point.offshore_exposure = AmountValue(exposure.offshore_market_value());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PositionRow>> ReadPositions(
    const ServiceClient<v1::SnapshotService>& snap, int64_t fund_id, Date date) {
  v1::ListPositionsRequest request;
  request.set_fund_id(fund_id);
  request.set_as_of_date(FormatDate(date));
  request.set_page_size(kMaxPositions);
  v1::ListPositionsResponse page;
  absl::Status st = snap.Call(&Snap::ListPositions, request, &page);
  if (absl::IsNotFound(st)) return std::vector<PositionRow>{};  // the fund holds nothing
  RETURN_IF_ERROR(st);
  std::vector<PositionRow> out;
  for (const v1::Position& p : page.positions()) {
    out.push_back({p.position_date(), p.asset_nickname(), p.isin(), p.asset_type_description(),
                   EnumText(p.classification()), p.notional(), p.market_value()});
  }
  return out;
}

}  // namespace

std::vector<std::string> LastTwelveMonths(Date last) {
  std::vector<std::string> out;
  absl::CivilMonth month(last);
  for (int i = 11; i >= 0; --i) out.push_back(FormatDate(Date(month - i)).substr(0, 7));
  return out;
}

absl::StatusOr<FundView> GatherFundView(const CommandContext& context, Date status_date,
                                        const v1::FundStatus& status, const TrackingRow& row,
                                        const v1::Fund* fund) {
  FundView view;
  view.fund_id = row.fund_id;
  view.fund_name = row.fund_name;
  view.manager_name = row.manager_name;
  view.regulatory_class = row.regulatory_class;
  view.audience = row.audience;
  view.exposure = row.exposure;
  if (fund != nullptr) view.currency = fund->base_currency();
  view.deadline_status = row.deadline_status;
  view.validation_status = row.validation_status;
  view.last_submission_date = row.last_submission_date;
  view.next_due_date = row.next_due_date;
  view.validation_date = row.validation_date;
  const v1::RiskCapital& rc = status.risk_capital();
  view.nav = rc.nav();
  view.gross_margin = rc.gross_margin();
  if (rc.has_utilisation()) view.utilisation = rc.utilisation().value();
  if (rc.has_cap()) view.cap = rc.cap().value();
  view.limit_status = row.limit_status;
  std::map<std::string, MonthPoint> months;
  for (const std::string& m : LastTwelveMonths(status_date)) months[m].month = m;
  Date from = Date(absl::CivilMonth(status_date) - 11);
  ASSIGN_OR_RETURN(auto snap, context.Open<v1::SnapshotService>());
  RETURN_IF_ERROR(ReadNav(snap, row.fund_id, from, status_date, months));
  ASSIGN_OR_RETURN(view.methodology, ReadMargins(context, row.fund_id, from, status_date, months));
  RETURN_IF_ERROR(ReadOffshore(snap, row.fund_id, status_date, months));
  ASSIGN_OR_RETURN(view.positions, ReadPositions(snap, row.fund_id, status_date));
  for (auto& [month, point] : months) view.history.push_back(point);
  return view;
}

}  // namespace riskcap::client
