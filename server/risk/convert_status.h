// Proto conversion for RiskService's status reads: a stored fund status row and the KPI summary
// over a snapshot's rows (formed in core/rules/kpis.h, documented in docs/kpis.md).
#pragma once

#include <string>
#include <vector>

#include "core/rules/fund_status_row.h"
#include "core/snapshot_version.h"
#include "db/store.h"
#include "riskcap/v1/risk.pb.h"

namespace riskcap::server {

void ToProto(const rules::FundStatusRow& row, const std::string& fund_name, v1::FundStatus* out);
void ToProto(const SnapshotVersion& version, v1::StatusSnapshot* out);

// Fills every count and ratio of `out` but snapshot from the database's `summary`.
void Summarize(const db::FundStatusSummary& summary, v1::RiskCapitalSummary* out);

}  // namespace riskcap::server
