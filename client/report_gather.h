// The dashboard's data-gathering step: reads the status snapshot, funds, NAV history,
// submissions, exposure and positions through the riskcap RPCs into a DashboardData.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/command.h"
#include "client/report_data.h"

namespace riskcap::client {

struct ReportOptions {
  std::string date;            // status snapshot date, "YYYY-MM-DD"; "" = the latest
  std::vector<int64_t> funds;  // fund views; empty = the highest utilisations
  int default_fund_count = 3;  // how many fund views when `funds` is empty
};

// Fails with the first failing RPC's status (NOT_FOUND when there is no status snapshot).
absl::StatusOr<DashboardData> GatherDashboardData(const CommandContext& context,
                                                  const ReportOptions& options);

// The funds to show when none were asked for: the `count` highest utilisations among the
// `rows` with a cap (ties by row order); a fund without a cap or a utilisation is never picked.
std::vector<int64_t> DefaultFundViews(const std::vector<TrackingRow>& rows, int count);

}  // namespace riskcap::client
