// ExplainStatusRow: read a status row's inputs back by the ids its run recorded, describe them,
// explain the arithmetic and recompute with rules::ComputeFundStatusRow (the job's function).
#include "server/risk/status_explain.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/absl_compat.h"
#include "core/rules/margin_status.h"
#include "core/rules/status_explanation.h"
#include "core/status_macros.h"
#include "db/positions_of_funds.h"
#include "db/status_inputs.h"
#include "server/risk/convert_status.h"

namespace riskcap::server {
namespace {

constexpr int kPage = 1000;

// What the row was computed from, read back from the store.
struct Gathered {
  rules::StatusInputIds ids;
  bool recorded = false;  // ids and config come from the run's record
  rules::RulesConfig config;
  std::optional<SnapshotVersion> nav_version, exposure_version, positions_version;
  rules::MarginStatusInput input;
};

// For a version written before runs recorded their inputs: what the store holds for the date now.
absl::StatusOr<rules::StatusInputIds> InferIds(db::Store& store, Date date) {
  rules::StatusInputIds ids;
  auto nav = store.GetSnapshotVersion(SnapshotKind::kNavSnapshot, date, std::nullopt);
  if (nav.ok()) ids.nav_version_id = nav->id;
  if (!nav.ok() && !absl::IsNotFound(nav.status())) return nav.status();
  auto exposure = store.GetLatestSnapshotVersion(SnapshotKind::kExposure, date);
  if (absl::IsNotFound(exposure.status())) return ids;
  RETURN_IF_ERROR(exposure.status());
  ids.exposure_version_id = exposure->id;
  ASSIGN_OR_RETURN(ids.positions_version_id, store.GetSourceVersionId(exposure->id));
  return ids;
}

absl::StatusOr<std::optional<SnapshotVersion>> VersionOf(db::Store& store,
                                                          std::optional<int64_t> id) {
  if (!id) return std::optional<SnapshotVersion>();
  ASSIGN_OR_RETURN(SnapshotVersion v, db::GetSnapshotVersionById(store, *id));
  return std::optional<SnapshotVersion>(std::move(v));
}

absl::Status ReadFundHistory(db::Store& store, int64_t fund_id, rules::MarginStatusInput& in) {
  db::SubmissionFilter filter;
  filter.fund_id = fund_id;
  for (db::Page page{0, kPage};;) {
    ASSIGN_OR_RETURN(auto rows, store.ListSubmissions(filter, page));
    for (MarginSubmission& s : rows) in.submissions.push_back(std::move(s));
    if (rows.size() < static_cast<size_t>(kPage)) break;
    page.after_id = in.submissions.back().id;
  }
  for (db::Page page{0, kPage};;) {
    ASSIGN_OR_RETURN(auto rows, store.ListExemptions(fund_id, page));
    for (Exemption& e : rows) in.exemptions.push_back(std::move(e));
    if (rows.size() < static_cast<size_t>(kPage)) break;
    page.after_id = in.exemptions.back().id;
  }
  ASSIGN_OR_RETURN(in.previous, store.LatestFundStatusBefore(fund_id, in.reference_date));
  return absl::OkStatus();
}

// The fund's rows of the recorded NAV and exposure versions and, for OTC exposure, its positions
// in the exposure's batch: exactly what margin_status reads.
absl::Status ReadSnapshots(db::Store& store, Gathered& g) {
  rules::MarginStatusInput& in = g.input;
  if (g.nav_version) {
    auto nav = store.GetNavSnapshot(in.fund.id, g.nav_version->reference_date,
                                    g.nav_version->version);
    if (nav.ok()) in.nav = *nav;
    if (!nav.ok() && !absl::IsNotFound(nav.status())) return nav.status();
  }
  if (!g.exposure_version) return absl::OkStatus();
  auto exposure = store.GetExposure(g.exposure_version->id, in.fund.id);
  if (absl::IsNotFound(exposure.status())) return absl::OkStatus();
  RETURN_IF_ERROR(exposure.status());
  in.exposure = *exposure;
  if (exposure->otc && g.positions_version) {
    in.positions_date = exposure->position_date;
    ASSIGN_OR_RETURN(in.positions, db::ListPositionsOfFunds(store, g.positions_version->id, {in.fund.id}));
  }
  return absl::OkStatus();
}

absl::Status Gather(db::Store& store, const rules::RulesConfig& current, const SnapshotVersion& v,
                    int64_t fund_id, Gathered& g) {
  ASSIGN_OR_RETURN(std::optional<rules::StatusInputIds> recorded,
                   db::GetStatusInputs(store, v.id));
  g.recorded = recorded.has_value();
  if (recorded) {
    g.ids = *recorded;
    ASSIGN_OR_RETURN(g.config, rules::ParseRulesConfigText(g.ids.rules_config));
  } else {
    ASSIGN_OR_RETURN(g.ids, InferIds(store, v.reference_date));
    g.config = current;
  }
  ASSIGN_OR_RETURN(g.nav_version, VersionOf(store, g.ids.nav_version_id));
  ASSIGN_OR_RETURN(g.exposure_version, VersionOf(store, g.ids.exposure_version_id));
  ASSIGN_OR_RETURN(g.positions_version, VersionOf(store, g.ids.positions_version_id));
  ASSIGN_OR_RETURN(g.input.fund, store.GetFund(fund_id));
  g.input.reference_date = v.reference_date;
  RETURN_IF_ERROR(ReadSnapshots(store, g));
  return ReadFundHistory(store, fund_id, g.input);
}

v1::StatusInput* AddInput(const std::string& kind, const std::optional<SnapshotVersion>& v,
                          bool recorded, v1::FundStatusExplanation* out) {
  v1::StatusInput* in = out->add_inputs();
  in->set_kind(kind);
  in->set_recorded(recorded);
  if (!v) return in;
  in->set_id(v->id);
  in->set_version(v->version);
  in->set_reference_date(FormatDate(v->reference_date));
  in->set_content_hash(v->content_hash);
  in->set_job_run_id(v->job_run_id.value_or(0));
  return in;
}

std::string YesNo(bool b) { return b ? "yes" : "no"; }

void DescribeSnapshots(const Gathered& g, v1::FundStatusExplanation* out) {
  const rules::MarginStatusInput& in = g.input;
  v1::StatusInput* nav = AddInput("NAV_SNAPSHOT", g.nav_version, g.recorded, out);
  nav->set_detail(!g.nav_version ? "none: no NAV snapshot of the reference date"
                  : in.nav ? absl::StrCat("NAV ", in.nav->nav.ToString(), ", exchange_margin_pct ",
                                          in.nav->exchange_margin_pct, ", position date ",
                                          FormatDate(in.nav->position_date))
                           : absl::StrCat("no row for fund ", in.fund.id));
  v1::StatusInput* exp = AddInput("EXPOSURE_SNAPSHOT", g.exposure_version, g.recorded, out);
  exp->set_detail(!g.exposure_version ? "none: no exposure snapshot on or before the date"
                  : in.exposure
                      ? absl::StrCat("positions date ", FormatDate(in.exposure->position_date),
                                     ", OTC ", YesNo(in.exposure->otc), " (",
                                     in.exposure->otc_option_count, " options, ",
                                     in.exposure->otc_swap_count, " swaps), offshore ",
                                     YesNo(in.exposure->offshore), " (",
                                     in.exposure->offshore_fund_count, " funds)")
                      : absl::StrCat("fund ", in.fund.id, " not in it: not exposed"));
  v1::StatusInput* pos = AddInput("POSITIONS_BATCH", g.positions_version, g.recorded, out);
  pos->set_detail(!g.positions_version ? "none"
                  : in.positions_date
                      ? absl::StrCat(in.positions.size(), " positions of fund ", in.fund.id,
                                     " read for the server estimate")
                      : std::string("not read: the fund has no OTC exposure"));
}

void DescribeHistory(const rules::FundStatusRow& row, const Gathered& g,
                     v1::FundStatusExplanation* out) {
  for (const MarginSubmission& s : g.input.submissions) {
    if (!row.status.submission_id || s.id != *row.status.submission_id) continue;
    v1::StatusInput* in = AddInput("SUBMISSION", std::nullopt, true, out);
    in->set_id(s.id);
    in->set_reference_date(FormatDate(s.reference_date));
    in->set_content_hash(s.content_hash);
    in->set_detail(absl::StrCat("local margin ", s.local_margin.ToString(), ", offshore margin ",
                                s.offshore_margin.ToString(), ", submitted ",
                                FormatTimestamp(s.submitted_at), " by ", s.submitted_by,
                                ", now ", AbslView(EnumName(s.state))));
  }
  for (const Exemption& e : g.input.exemptions) {
    if (!row.status.exemption_id || e.id != *row.status.exemption_id) continue;
    v1::StatusInput* in = AddInput("EXEMPTION", std::nullopt, true, out);
    in->set_id(e.id);
    in->set_detail(absl::StrCat("valid ", FormatDate(e.valid_from), " to ", FormatDate(e.valid_to),
                                ", granted by ", e.granted_by, ": ", e.reason));
  }
  if (const auto& p = g.input.previous) {
    v1::StatusInput* in = AddInput("PREVIOUS_STATUS", std::nullopt, true, out);
    in->set_reference_date(FormatDate(p->status.reference_date));
    in->set_detail(absl::StrCat(
        "limit ", AbslView(EnumName(p->risk.limit_status)), ", breach since ",
        p->risk.breach.start_date ? FormatDate(*p->risk.breach.start_date) : "-"));
  }
  v1::StatusInput* rules_in = AddInput("RULES", std::nullopt, g.recorded, out);
  rules_in->set_detail(absl::StrCat("rule version ", g.config.rule_version));
}

void DescribeConfig(const Gathered& g, v1::FundStatusExplanation* out) {
  out->set_rule_version(g.config.rule_version);
  out->set_rules_config_recorded(g.recorded);
  const std::vector<std::string> lines = absl::StrSplit(rules::FormatRulesConfig(g.config), '\n');
  for (const std::string& line : lines) {
    const size_t eq = line.find('=');
    v1::RulesSetting* s = out->add_rules_config();
    s->set_key(line.substr(0, eq));
    s->set_value(eq == std::string::npos ? "" : line.substr(eq + 1));
  }
}

void AddSteps(const rules::FundStatusRow& row, const Gathered& g, v1::FundStatusExplanation* out) {
  rules::ExplanationFacts facts;
  if (g.input.nav) facts.exchange_margin_pct = g.input.nav->exchange_margin_pct;
  facts.class_cap = g.config.ClassCap(row.regulatory_class);
  facts.bylaws_cap = g.input.fund.bylaws_margin_cap;
  facts.warning_fraction = g.config.warning_fraction;
  if (const auto& p = g.input.previous) {
    facts.previous_date = p->status.reference_date;
    facts.previous_breach_start = p->risk.breach.start_date;
  }
  for (const rules::ExplanationStep& s : rules::ExplainRow(row, facts)) {
    v1::ExplanationStep* step = out->add_steps();
    step->set_name(s.name);
    step->set_value(s.value);
    step->set_text(s.text);
  }
}

void Recompute(const rules::FundStatusRow& row, const absl::Status& gathered, const Gathered& g,
               v1::Recomputation* out) {
  out->set_stored_line(rules::CanonicalLine(row));
  absl::StatusOr<rules::FundStatusRow> again =
      gathered.ok() ? rules::ComputeFundStatusRow(g.input, g.config) : gathered;
  if (!again.ok()) {
    out->set_error(absl::StrCat("cannot recompute: ", again.status().message()));
    return;
  }
  out->set_recomputed_line(rules::CanonicalLine(*again));
  for (const rules::FigureDifference& d : rules::CompareRows(row, *again)) {
    v1::FigureMismatch* m = out->add_mismatches();
    m->set_figure(d.figure);
    m->set_stored(d.stored);
    m->set_recomputed(d.recomputed);
  }
  out->set_matches(out->mismatches().empty());
}

}  // namespace

absl::Status ExplainStatusRow(db::Store& store, const rules::RulesConfig& current,
                              const SnapshotVersion& version, const rules::FundStatusRow& row,
                              bool recompute, v1::FundStatusExplanation* out) {
  Gathered g;
  const absl::Status gathered = Gather(store, current, version, row.fund_id(), g);
  if (!gathered.ok() && !recompute) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the inputs of fund ", row.fund_id(), "'s status cannot be read back: ",
        gathered.message()));
  }
  ToProto(version, out->mutable_snapshot());
  ToProto(row, g.input.fund.name, out->mutable_status());
  DescribeSnapshots(g, out);
  DescribeHistory(row, g, out);
  DescribeConfig(g, out);
  AddSteps(row, g, out);
  if (recompute) Recompute(row, gathered, g, out->mutable_recomputation());
  return absl::OkStatus();
}

}  // namespace riskcap::server
