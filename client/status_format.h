// riskcap status: flags to ListFundStatusRequest, the client-side filters the API lacks
// (regulatory class, exposure) and the status table.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "client/output.h"
#include "riskcap/v1/common.pb.h"
#include "riskcap/v1/risk.pb.h"

namespace riskcap::client {

struct StatusFlags {
  bool overdue = false, all_funds = false, summary = false;
  std::string deadline, validation, limit, regulatory_class, exposure, date;
  int64_t manager = 0, fund = 0;
  int version = 0;
  bool explain = false, recompute = false;  // --explain [--recompute] (explain_format.h)
};

// The request for `f`. InvalidArgument when --overdue contradicts --deadline, or --version comes
// without --date.
absl::StatusOr<v1::ListFundStatusRequest> StatusRequest(const StatusFlags& f);

// Whether `status` passes the filters the server does not apply (--class, --exposure).
bool KeepStatus(const StatusFlags& f, const v1::FundStatus& status,
                v1::RegulatoryClass regulatory_class);

// The KPI summary for people (status --summary's text output): labelled lines, percentages,
// one regulatory class per line, and the rule for which findings count. JSON and CSV print the
// RiskCapitalSummary fields instead.
Table SummaryTable(const v1::RiskCapitalSummary& summary);

// A regulatory class as a word: "Multimercado", "Ações", "Renda Fixa", ...
std::string ClassName(v1::RegulatoryClass regulatory_class);

// Every FundStatus field (nested ones flattened, e.g. risk_capital_utilisation); the text
// rendering shows the main ones.
Table StatusTable();

}  // namespace riskcap::client
