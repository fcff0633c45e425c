// Formatting of a status explanation (explain_format.h).
#include "client/explain_format.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/proto_table.h"

namespace riskcap::client {
namespace {

std::string Identity(const v1::StatusInput& in) {
  std::vector<std::string> parts;
  if (in.id() != 0) parts.push_back(absl::StrCat("id ", in.id()));
  if (in.version() != 0) parts.push_back(absl::StrCat("v", in.version()));
  if (!in.reference_date().empty()) parts.push_back(in.reference_date());
  if (in.job_run_id() != 0) parts.push_back(absl::StrCat("run ", in.job_run_id()));
  if (!in.content_hash().empty()) parts.push_back(absl::StrCat("hash ", in.content_hash()));
  if (!in.recorded()) parts.push_back("(not recorded by the run: current for the date)");
  return parts.empty() ? std::string("-") : absl::StrJoin(parts, " ");
}

void AddRecomputation(const v1::Recomputation& r, Table& table) {
  std::string verdict = !r.error().empty() ? r.error()
                        : r.matches()      ? "recomputed from the stored inputs: equal, exactly"
                                           : "recomputed from the stored inputs: DIFFERENT";
  table.AddRow({"recompute", "result", r.matches() ? "MATCH" : "MISMATCH", verdict});
  for (const v1::FigureMismatch& m : r.mismatches()) {
    table.AddRow({"recompute", m.figure(), m.recomputed(),
                  absl::StrCat("stored ", m.stored().empty() ? "(none)" : m.stored(),
                               ", recomputed ",
                               m.recomputed().empty() ? "(none)" : m.recomputed())});
  }
}

}  // namespace

Table ExplanationTable(const v1::FundStatusExplanation& e) {
  Table table({"section", "item", "value", "detail"});
  const v1::StatusSnapshot& snap = e.snapshot();
  table.AddRow({"status", "fund", e.status().fund_id(), e.status().fund_name()});
  table.AddRow({"status", "snapshot", absl::StrCat(snap.reference_date(), " v", snap.version()),
                absl::StrCat("load ", snap.load_id(), ", margin_status run ", snap.job_run_id())});
  for (const v1::StatusInput& in : e.inputs()) {
    table.AddRow({"input", in.kind(), Identity(in), in.detail()});
  }
  for (const v1::RulesSetting& s : e.rules_config()) {
    table.AddRow({"config", s.key(), s.value(),
                  e.rules_config_recorded() ? "recorded by the run"
                                            : "not recorded by the run: server's current value"});
  }
  for (const v1::ExplanationStep& s : e.steps()) {
    table.AddRow({"step", s.name(), s.value(), s.text()});
  }
  if (e.has_recomputation()) AddRecomputation(e.recomputation(), table);
  return table;
}

Json ExplanationDocument(const v1::FundStatusExplanation& explanation) {
  return ProtoObject(explanation);
}

absl::Status RecomputationOutcome(const v1::FundStatusExplanation& e) {
  if (!e.has_recomputation() || e.recomputation().matches()) return absl::OkStatus();
  const v1::Recomputation& r = e.recomputation();
  std::vector<std::string> figures;
  for (const v1::FigureMismatch& m : r.mismatches()) figures.push_back(m.figure());
  return absl::DataLossError(absl::StrCat(
      "fund ", e.status().fund_id(), " on ", e.snapshot().reference_date(), ": ",
      r.error().empty() ? absl::StrCat("recomputed figures differ from the stored ones: ",
                                       absl::StrJoin(figures, ", "))
                        : r.error()));
}

}  // namespace riskcap::client
