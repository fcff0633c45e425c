// GetRiskCapitalSummary's figures for a MARGIN_STATUS version (Store::SummarizeFundStatus), and
// the counts stored with the version so they cost a few rows rather than a pass over every fund
// (tables fund_status_counts and fund_status_totals, migration 0018). Internal to db/.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "core/rules/fund_status_row.h"
#include "db/internal/database.h"
#include "db/store.h"

namespace riskcap::db {

// Writes the counts of `rows` for version `version_id`: one row per manager and combination of
// the statuses FundStatusSummary::Group counts, with the combination's highest utilisation
// (fund_status_counts), and the same per combination over every manager (fund_status_totals).
// Call on the transaction that writes the rows, so all commit together.
absl::Status WriteFundStatusCounts(Backend backend, soci::session& s, int64_t version_id,
                                   const std::vector<rules::FundStatusRow>& rows);

// The summary of the monitored funds of version `version_id` (of `manager_id`'s funds when set),
// which must be a MARGIN_STATUS version. Groups and the highest utilisation come from the stored
// counts, or from fund_status for a version written before migration 0018; the open findings
// are counted now, since findings are acknowledged and resolved after the version is written.
FundStatusSummary ReadFundStatusSummary(soci::session& s, int64_t version_id,
                                        std::optional<int64_t> manager_id);

}  // namespace riskcap::db
