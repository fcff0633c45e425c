// The status KPIs from grouped fund counts.
#include "core/rules/kpis.h"

namespace riskcap::rules {

std::optional<double> StatusKpis::ShareOf(int64_t count) const {
  if (monitored == 0) return std::nullopt;
  return static_cast<double>(count) / static_cast<double>(monitored);
}

StatusKpis CountStatusKpis(const std::vector<StatusGroup>& groups) {
  StatusKpis k;
  for (const StatusGroup& g : groups) {
    const int64_t n = g.funds;
    k.monitored += n;
    k.per_class[static_cast<size_t>(g.regulatory_class)] += n;
    if (g.exposure == ConsolidatedExposure::kOtc) k.otc += n;
    if (g.exposure == ConsolidatedExposure::kOffshore) k.offshore += n;
    switch (g.deadline) {
      case DeadlineStatus::kOnTime: k.on_time += n; break;
      case DeadlineStatus::kOverdue: k.overdue += n; break;
      case DeadlineStatus::kNeverSubmitted: k.never_submitted += n; break;
      case DeadlineStatus::kNotApplicable: break;
    }
    switch (g.validation) {
      case ValidationStatus::kReceivedValidated: k.validated += n; break;
      case ValidationStatus::kReceivedNotValidated: k.not_validated += n; break;
      case ValidationStatus::kNotReceived: k.not_received += n; break;
      case ValidationStatus::kNotApplicable: break;
    }
    switch (g.limit) {
      case LimitStatus::kWithinLimit: k.within_limit += n; break;
      case LimitStatus::kWarning: k.warning += n; break;
      case LimitStatus::kBreach: k.breach += n; break;
      case LimitStatus::kCritical: k.critical += n; break;
      case LimitStatus::kNotApplicable: break;
    }
    if (g.stale) k.stale += n;
  }
  return k;
}

}  // namespace riskcap::rules
