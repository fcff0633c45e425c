// The margin_status job's pure part (docs/rules.md): one fund's stored status row from its inputs,
// the
// findings that row calls for, and the canonical text its snapshot hash covers. Thread-safe, no
// I/O. Rules, findings, severities and dedup keys: docs/rules.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/exposure.h"
#include "core/finding.h"
#include "core/fund.h"
#include "core/margin_submission.h"
#include "core/nav.h"
#include "core/position.h"
#include "core/rules/fund_status_row.h"
#include "core/rules/rules_config.h"

namespace riskcap::rules {

// Everything margin_status reads about one fund for one reference date.
struct MarginStatusInput {
  Fund fund;
  Date reference_date;
  std::optional<FundExposure> exposure;  // the fund's row in the current exposure snapshot
  std::vector<MarginSubmission> submissions;
  std::vector<Exemption> exemptions;
  std::optional<NavSnapshot> nav;  // the NAV snapshot row of the reference date
  // The fund's positions in the exposure snapshot's positions batch (any classification).
  std::vector<Position> positions;
  std::optional<Date> positions_date;          // that batch's positions date
  std::optional<FundStatusRow> previous;       // the fund's latest stored row before the date
};

// The row: submission status, then risk capital with the server estimate as OTC margin. The
// server estimate is the schedule net IM (the BCBS-IOSCO figure a CCP-less counterparty would
// call), used only when at least one OTC position qualified and none was excluded: a partial
// estimate would understate the margin, so the manager's figure is used instead.
absl::StatusOr<FundStatusRow> ComputeFundStatusRow(const MarginStatusInput& input,
                                                   const RulesConfig& config);

// The findings `row` calls for (rule, severity, fund, message with the figures, dedup key).
// Reference date and run are filled in by the caller. A fund that is not monitored (no OTC or
// offshore exposure) gets none: the status list and the KPIs leave it out, so findings do too
// (docs/kpis.md, "Which findings count").
std::vector<Finding> FindingsForRow(const FundStatusRow& row, const RulesConfig& config);

// The rules margin_status raises; a finding of these rules whose dedup key a later run no
// longer produces has cleared.
const std::vector<std::string>& MarginStatusRules();

// The row's canonical line ('|'-separated stored fields, '\n'-terminated; core/canonical.h
// conventions). A snapshot's content hash is SHA-256 of its rows' lines in fund_id order.
std::string CanonicalLine(const FundStatusRow& row);

}  // namespace riskcap::rules
