// Canonical field names and comparison of status rows; the comparison works on CanonicalLine
// itself, so "equal" means exactly what the snapshot hash means. Step texts: status_steps.cc.
#include "core/rules/status_explanation.h"

#include "core/rules/margin_status.h"

namespace riskcap::rules {

const std::vector<std::string_view>& CanonicalFieldNames() {
  static const auto* names = new std::vector<std::string_view>{
      "fund_id", "reference_date", "rule_version", "manager_id", "regulatory_class",
      "target_audience", "consolidated_exposure", "exposure_position_date", "periodicity_days",
      "submission_id", "submission_state", "exemption_id", "last_submission_date",
      "last_submission_source", "next_due_date", "days_to_due", "deadline_status",
      "validation_status", "local_margin", "offshore_margin", "consolidated_margin", "nav",
      "nav_date", "exchange_margin", "exchange_margin_source", "exchange_margin_date",
      "otc_margin", "otc_margin_source", "otc_margin_date", "offshore_component",
      "offshore_component_source", "offshore_component_date", "gross_margin", "utilisation",
      "cap", "cap_source", "limit_status", "stale", "breach_start_date", "breach_business_days",
      "schedule_im", "saccr_ead", "benchmark_position_count", "benchmark_excluded_count"};
  return *names;
}

std::vector<std::string> SplitCanonicalLine(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  std::vector<std::string> fields(1);
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '|') {
      fields.emplace_back();
    } else if (c == '\\' && i + 1 < line.size()) {
      const char next = line[++i];
      fields.back().push_back(next == 'n' ? '\n' : next == 'r' ? '\r' : next);
    } else {
      fields.back().push_back(c);
    }
  }
  return fields;
}

std::string CanonicalValue(const FundStatusRow& row, std::string_view figure) {
  const std::vector<std::string_view>& names = CanonicalFieldNames();
  const std::vector<std::string> fields = SplitCanonicalLine(CanonicalLine(row));
  for (size_t i = 0; i < names.size() && i < fields.size(); ++i) {
    if (names[i] == figure) return fields[i];
  }
  return "";
}

std::vector<FigureDifference> CompareRows(const FundStatusRow& stored,
                                          const FundStatusRow& recomputed) {
  const std::vector<std::string_view>& names = CanonicalFieldNames();
  const std::vector<std::string> a = SplitCanonicalLine(CanonicalLine(stored));
  const std::vector<std::string> b = SplitCanonicalLine(CanonicalLine(recomputed));
  std::vector<FigureDifference> out;
  for (size_t i = 0; i < a.size() || i < b.size(); ++i) {
    const std::string none;
    const std::string& x = i < a.size() ? a[i] : none;
    const std::string& y = i < b.size() ? b[i] : none;
    if (x == y) continue;
    std::string name = i < names.size() ? std::string(names[i]) : "field_" + std::to_string(i);
    out.push_back(FigureDifference{std::move(name), x, y});
  }
  return out;
}

}  // namespace riskcap::rules
