// Status request, filters and table layout.
#include "client/status_format.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "client/people_format.h"
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

std::string ClassName(v1::RegulatoryClass regulatory_class) {
  switch (regulatory_class) {
    case v1::REGULATORY_CLASS_MULTIMERCADO: return "Multimercado";
    case v1::REGULATORY_CLASS_ACOES: return "Ações";
    case v1::REGULATORY_CLASS_RENDA_FIXA: return "Renda Fixa";
    case v1::REGULATORY_CLASS_CAMBIAL: return "Cambial";
    default: return EnumText(regulatory_class);  // FIDC, FII, ...: acronyms already
  }
}

namespace {

std::string RateText(const google::protobuf::DoubleValue& rate, bool present) {
  return present ? Percent(rate.value()) : "-";
}

}  // namespace

Table SummaryTable(const v1::RiskCapitalSummary& s) {
  std::vector<std::string> labels;
  std::vector<Json> cells;
  auto line = [&](std::string label, std::string text) {
    labels.push_back(std::move(label));
    cells.push_back(std::move(text));
  };
  const v1::StatusSnapshot& snap = s.snapshot();
  line("Status snapshot", absl::StrCat(snap.reference_date(), " v", snap.version(),
                                       " (job run ", snap.job_run_id(), ")"));
  line("Funds monitored",
       absl::StrCat(s.monitored_fund_count(), "  (OTC ", s.otc_fund_count(), ", offshore ",
                    s.offshore_fund_count(), "; OTC share ",
                    RateText(s.otc_share(), s.has_otc_share()), ")"));
  line("Received", absl::StrCat(s.received_count(), "  (validated ", s.validated_count(),
                                ", awaiting review or rejected ", s.not_validated_count(), ")"));
  line("Not received", absl::StrCat(s.not_received_count()));
  line("Validation rate", RateText(s.validation_rate(), s.has_validation_rate()));
  line("Deadlines", absl::StrCat("on time ", s.on_time_count(), ", overdue ", s.overdue_count(),
                                 ", never submitted ", s.never_submitted_count()));
  line("On-time rate", RateText(s.on_time_rate(), s.has_on_time_rate()));
  line("Risk capital limit",
       absl::StrCat("within ", s.within_limit_count(), ", warning ", s.warning_count(),
                    ", breach ", s.breach_count(), ", critical (NAV <= 0) ",
                    s.critical_count()));
  line("Stale estimates", absl::StrCat(s.stale_count()));
  line("Max utilisation",
       s.has_max_utilisation()
           ? absl::StrCat(Percent(s.max_utilisation().value()), "  (fund ",
                          s.max_utilisation_fund_id(), ")")
           : std::string("-"));
  line("Open findings",
       absl::StrCat(s.open_finding_count(), "  (raised for ", snap.reference_date(),
                    ", monitored funds: riskcap finding list --date ", snap.reference_date(),
                    ")"));
  for (const v1::ClassFundCount& c : s.funds_per_class()) {
    line(absl::StrCat("Funds: ", ClassName(c.regulatory_class())), absl::StrCat(c.fund_count()));
  }
  Table table(labels, Table::Layout::kRecord);
  table.AddRow(std::move(cells));
  return table;
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
                                               "risk_capital_gross_margin",
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
