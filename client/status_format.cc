// Status request, filters and table layout.
#include "client/status_format.h"

#include <set>

#include "client/proto_format.h"
#include "client/proto_table.h"
#include "core/field_errors.h"

namespace riskcap::client {

absl::StatusOr<v1::ListFundStatusRequest> StatusRequest(const StatusFlags& f) {
  v1::ListFundStatusRequest request;
  if (f.version > 0 && f.date.empty()) return FieldError("--version", "needs --date");
  std::string deadline = f.deadline;
  if (f.overdue) {
    if (!deadline.empty() &&
        ParseEnumText<v1::DeadlineStatus>(deadline) != v1::DEADLINE_STATUS_OVERDUE) {
      return FieldError("--overdue", "contradicts --deadline " + deadline);
    }
    deadline = "OVERDUE";
  }
  request.set_as_of_date(f.date);
  if (f.version > 0) request.mutable_version()->set_value(f.version);
  request.set_manager_id(f.manager);
  request.set_fund_id(f.fund);
  // The flags' checks admit only known names; empty means any.
  request.set_deadline_status(
      ParseEnumText<v1::DeadlineStatus>(deadline).value_or(v1::DEADLINE_STATUS_UNSPECIFIED));
  request.set_validation_status(ParseEnumText<v1::ValidationStatus>(f.validation)
                                    .value_or(v1::VALIDATION_STATUS_UNSPECIFIED));
  request.set_limit_status(
      ParseEnumText<v1::LimitStatus>(f.limit).value_or(v1::LIMIT_STATUS_UNSPECIFIED));
  request.set_include_not_monitored(f.all_funds || ParseEnumText<v1::ExposureOrigin>(f.exposure) ==
                                                       v1::EXPOSURE_ORIGIN_NONE);
  request.set_page_size(1000);
  return request;
}

bool KeepStatus(const StatusFlags& f, const v1::FundStatus& status,
                v1::RegulatoryClass regulatory_class) {
  if (!f.exposure.empty() &&
      ParseEnumText<v1::ExposureOrigin>(f.exposure) != status.consolidated_exposure()) {
    return false;
  }
  if (!f.regulatory_class.empty() &&
      ParseEnumText<v1::RegulatoryClass>(f.regulatory_class) != regulatory_class) {
    return false;
  }
  return true;
}

Table StatusTable() {
  static const std::set<std::string> kShown = {"fund_id",
                                               "fund_name",
                                               "manager_id",
                                               "consolidated_exposure",
                                               "next_due_date",
                                               "days_to_due",
                                               "deadline_status",
                                               "validation_status",
                                               "consolidated_margin",
                                               "risk_capital_nav",
                                               "risk_capital_utilisation",
                                               "risk_capital_cap",
                                               "risk_capital_limit_status"};
  Table table = ProtoTable(*v1::FundStatus::descriptor(), Table::Layout::kRows);
  for (const std::string& column : table.columns()) {
    if (kShown.count(column) == 0) table.HideInTextRows(column);
  }
  return table;
}

}  // namespace riskcap::client
