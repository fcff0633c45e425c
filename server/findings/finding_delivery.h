// Raising a finding and, when riskcapd is configured to (RISKCAP_NOTIFY_CRITICAL_FINDINGS),
// queuing the deliveries of a new CRITICAL finding to its fund's manager in the same transaction
// (docs/operations.md, "Delivery").
#pragma once

#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/finding.h"
#include "db/store.h"

namespace riskcap::server {

// Which raised findings are delivered to their fund's manager.
enum class FindingDelivery {
  kNone,      // none: findings are only stored
  kCritical,  // each new CRITICAL finding of a fund
};

// Stores `finding` as db::Store::RaiseFinding does (an unresolved finding with the same dedup key
// and date is returned instead of a duplicate; `*created` says which, when not null). With
// kCritical, a finding created now that is CRITICAL and names a fund also queues one delivery per
// contact of the fund's manager (FindingDeliveries, due at `now`); finding and deliveries commit
// together or not at all. A finding already open queues nothing, so a re-run sends nothing again.
absl::StatusOr<Finding> RaiseFinding(db::Store& store, const Finding& finding,
                                     FindingDelivery delivery, absl::Time now,
                                     bool* created = nullptr);

// RaiseFinding for each of `findings` (at most db::Store::kMaxFindingsRaised) in one transaction,
// stored through db::Store::RaiseFindings: each stored finding and whether it is new, in order.
absl::StatusOr<std::vector<std::pair<Finding, bool>>> RaiseFindings(
    db::Store& store, absl::Span<const Finding> findings, FindingDelivery delivery,
    absl::Time now);

}  // namespace riskcap::server
