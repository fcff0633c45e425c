// RiskService.ExplainFundStatus's work: gathers the inputs a stored status row was computed from
// (as its run recorded them, migration 0017), explains the row step by step and, on request,
// recomputes it from those inputs with the job's own core function and compares it exactly
// (docs/rules.md, "Explaining a status figure").
#pragma once

#include "absl/status/status.h"
#include "core/rules/fund_status_row.h"
#include "core/rules/rules_config.h"
#include "core/snapshot_version.h"
#include "db/store.h"
#include "riskcap/v1/risk.pb.h"

namespace riskcap::server {

// Fills `out` for `row` of MARGIN_STATUS version `version`. `current` is the server's rules
// configuration, used only when the run did not record its own (the response says so). An input
// that is gone or invalid makes the recomputation report an error, not the call fail. Reads only.
absl::Status ExplainStatusRow(db::Store& store, const rules::RulesConfig& current,
                              const SnapshotVersion& version, const rules::FundStatusRow& row,
                              bool recompute, v1::FundStatusExplanation* out);

}  // namespace riskcap::server
