// One fund's dashboard section from the RPCs: 12 months of NAV, margin and offshore exposure,
// risk capital against its cap, and the positions of the status date.
#pragma once

#include "absl/status/statusor.h"
#include "client/command.h"
#include "client/report_data.h"
#include "core/date.h"
#include "riskcap/v1/common.pb.h"
#include "riskcap/v1/risk.pb.h"

namespace riskcap::client {

// `fund` may be null when the registry does not list it (the currency then defaults to BRL).
absl::StatusOr<FundView> GatherFundView(const CommandContext& context, Date status_date,
                                        const v1::FundStatus& status, const TrackingRow& row,
                                        const v1::Fund* fund);

// The 12 month keys ending with `last`'s month, oldest first: "2025-12", ..., "2026-11".
std::vector<std::string> LastTwelveMonths(Date last);

}  // namespace riskcap::client
