// One fund's row in a MARGIN_STATUS snapshot (table fund_status): its submission status, risk
// capital and the server's benchmark, as the margin_status job computed them for a reference date.
#pragma once

#include <cstdint>
#include <string>

#include "core/enums.h"
#include "core/risk/position_benchmark.h"
#include "core/rules/risk_capital.h"
#include "core/rules/submission_status.h"

namespace riskcap::rules {

// What is stored is what the table holds: on read, FundStatus::submission_reference_date,
// submitted_at and resubmission_required, and RiskCapitalResult::warning_level are not restored
// (they are derivable or belong to the submission), and risk.submission_id mirrors
// status.submission_id.
struct FundStatusRow {
  FundStatus status;
  RiskCapitalResult risk;
  risk::PositionBenchmark benchmark;
  // Copied from the fund on the run, so history and BI read one row.
  int64_t manager_id = 0;
  RegulatoryClass regulatory_class = RegulatoryClass::kMultimercado;
  TargetAudience target_audience = TargetAudience::kGeneral;

  int64_t fund_id() const { return status.fund_id; }
  bool monitored() const { return status.consolidated_exposure != ConsolidatedExposure::kNone; }
};

}  // namespace riskcap::rules
