// A finding and its deliveries in one transaction.
#include "server/findings/finding_delivery.h"

#include "core/status_macros.h"
#include "server/delivery/delivery_notice.h"

namespace riskcap::server {
namespace {

bool Delivered(const Finding& finding, FindingDelivery delivery) {
  return delivery == FindingDelivery::kCritical &&
         finding.severity == FindingSeverity::kCritical && finding.fund_id.has_value();
}

}  // namespace

absl::StatusOr<Finding> RaiseFinding(db::Store& store, const Finding& finding,
                                     FindingDelivery delivery, absl::Time now, bool* created) {
  if (!Delivered(finding, delivery)) return store.RaiseFinding(finding, created);
  Finding stored;
  bool is_new = false;
  RETURN_IF_ERROR(store.InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(stored, store.RaiseFinding(finding, &is_new));
    if (!is_new) return absl::OkStatus();
    ASSIGN_OR_RETURN(Fund fund, store.GetFund(*stored.fund_id));
    ASSIGN_OR_RETURN(ManagerContacts contacts, store.GetManagerContacts(fund.manager_id));
    return store.EnqueueDeliveries(FindingDeliveries(stored, fund, contacts, now)).status();
  }));
  if (created != nullptr) *created = is_new;
  return stored;
}

}  // namespace riskcap::server
