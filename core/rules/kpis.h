// The KPIs of one margin_status snapshot's monitored funds (docs/kpis.md): how many funds have
// each status, per regulatory class, and the rates formed from those counts. The store groups
// the funds that share every counted status (db::FundStatusSummary); this is the one place the
// figures are formed from those groups.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/enums.h"
#include "core/rules/submission_status.h"
#include "core/rules/risk_capital.h"

namespace riskcap::rules {

// Funds that share every status the KPIs count.
struct StatusGroup {
  RegulatoryClass regulatory_class{};
  ConsolidatedExposure exposure{};
  DeadlineStatus deadline{};
  ValidationStatus validation{};
  LimitStatus limit{};
  bool stale = false;
  int64_t funds = 0;
};

struct StatusKpis {
  int64_t monitored = 0;
  int64_t otc = 0, offshore = 0;                              // consolidated exposure
  int64_t on_time = 0, overdue = 0, never_submitted = 0;      // deadline status
  int64_t validated = 0, not_validated = 0, not_received = 0;  // validation status
  int64_t within_limit = 0, warning = 0, breach = 0, critical = 0;  // NOT_APPLICABLE in none
  int64_t stale = 0;
  std::array<int64_t, EnumNames<RegulatoryClass>::kNames.size()> per_class{};  // by enum value

  int64_t received() const { return validated + not_validated; }
  // Shares of the monitored funds; unset when no fund is monitored.
  std::optional<double> on_time_rate() const { return ShareOf(on_time); }
  std::optional<double> validation_rate() const { return ShareOf(validated); }
  std::optional<double> otc_share() const { return ShareOf(otc); }

 private:
  std::optional<double> ShareOf(int64_t count) const;
};

// Counts every group's funds under each status it has.
StatusKpis CountStatusKpis(const std::vector<StatusGroup>& groups);

}  // namespace riskcap::rules
