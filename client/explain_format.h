// riskcap status --explain: RiskService.ExplainFundStatus's answer as one table for people
// (section, item, value, detail) and as its JSON document for machines.
#pragma once

#include "absl/status/status.h"
#include "client/output.h"
#include "riskcap/v1/risk.pb.h"

namespace riskcap::client {

// One row per fact, in reading order: the status read, each input with its identity, each
// configuration value, each step of the arithmetic, then the recomputation (when present) and
// each figure it did not reproduce.
Table ExplanationTable(const v1::FundStatusExplanation& explanation);

// The explanation as JSON: the response's fields under their proto names (docs/cli.md).
Json ExplanationDocument(const v1::FundStatusExplanation& explanation);

// OK unless a recomputation was asked for and did not reproduce the stored row: then DataLoss
// naming the figures that differ (or why it could not run).
absl::Status RecomputationOutcome(const v1::FundStatusExplanation& explanation);

}  // namespace riskcap::client
