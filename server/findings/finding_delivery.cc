// Findings and their deliveries, each call in one transaction.
#include "server/findings/finding_delivery.h"

#include <utility>

#include "core/status_macros.h"
#include "server/delivery/delivery_notice.h"

namespace riskcap::server {
namespace {

bool Delivered(const Finding& finding, FindingDelivery delivery) {
  return delivery == FindingDelivery::kCritical &&
         finding.severity == FindingSeverity::kCritical && finding.fund_id.has_value();
}

// Queues the deliveries of `stored`, a finding just created, to its fund's manager.
absl::Status Enqueue(db::Store& store, const Finding& stored, absl::Time now) {
  ASSIGN_OR_RETURN(Fund fund, store.GetFund(*stored.fund_id));
  ASSIGN_OR_RETURN(ManagerContacts contacts, store.GetManagerContacts(fund.manager_id));
  return store.EnqueueDeliveries(FindingDeliveries(stored, fund, contacts, now)).status();
}

}  // namespace

absl::StatusOr<Finding> RaiseFinding(db::Store& store, const Finding& finding,
                                     FindingDelivery delivery, absl::Time now, bool* created) {
  ASSIGN_OR_RETURN(auto raised,
                   RaiseFindings(store, absl::MakeConstSpan(&finding, 1), delivery, now));
  if (created != nullptr) *created = raised.front().second;
  return std::move(raised.front().first);
}

absl::StatusOr<std::vector<std::pair<Finding, bool>>> RaiseFindings(
    db::Store& store, absl::Span<const Finding> findings, FindingDelivery delivery,
    absl::Time now) {
  std::vector<std::pair<Finding, bool>> stored;
  RETURN_IF_ERROR(store.InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(stored, store.RaiseFindings(findings));
    for (const auto& [finding, is_new] : stored) {
      if (is_new && Delivered(finding, delivery)) RETURN_IF_ERROR(Enqueue(store, finding, now));
    }
    return absl::OkStatus();
  }));
  return stored;
}

}  // namespace riskcap::server
