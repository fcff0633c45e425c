// DashboardJson: the rows the dashboard's script filters and draws.
#include "client/report_json.h"

#include "absl/strings/str_replace.h"
#include "client/report_format.h"
#include "nlohmann/json.hpp"

namespace riskcap::client {
namespace {

using Json = nlohmann::json;

Json OrNull(const std::optional<double>& v) { return v ? Json(*v) : Json(); }

Json RowJson(const TrackingRow& r) {
  return Json{{"id", r.fund_id},
              {"name", r.fund_name},
              {"manager", r.manager_name},
              {"cls", r.regulatory_class},
              {"aud", r.audience},
              {"exp", r.exposure},
              {"last", r.last_submission_date},
              {"validated", r.validation_date},
              {"next", r.next_due_date},
              {"days", r.next_due_date.empty() ? Json() : Json(r.days_to_due)},
              {"deadline", r.deadline_status},
              {"validation", r.validation_status},
              {"limit", r.limit_status},
              {"nav", r.nav},
              {"gross", r.gross_margin},
              {"util", OrNull(r.utilisation)},
              {"cap", OrNull(r.cap)}};
}

}  // namespace

std::string DashboardJson(const DashboardData& data) {
  Json rows = Json::array(), labels = Json::object(), views = Json::array();
  for (const TrackingRow& r : data.tracking) {
    rows.push_back(RowJson(r));
    for (const std::string* code : {&r.regulatory_class, &r.audience, &r.exposure}) {
      if (!code->empty()) labels[*code] = EnumLabel(*code);
    }
    for (const std::string* code : {&r.deadline_status, &r.validation_status, &r.limit_status}) {
      labels[*code] = StatusLabel(*code);
    }
  }
  for (const FundView& f : data.funds) views.push_back(f.fund_id);
  Json out{{"rows", rows}, {"labels", labels}, {"views", views}};
  return absl::StrReplaceAll(out.dump(), {{"<", "\\u003c"}});
}

}  // namespace riskcap::client
