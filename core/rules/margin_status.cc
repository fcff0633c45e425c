// margin_status assembly: submission status + risk capital + benchmark per fund, its findings and
// its canonical line (written by core/canonical.h's writer).
#include "core/rules/margin_status.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/absl_compat.h"
#include "core/canonical.h"
#include "core/status_macros.h"

namespace riskcap::rules {
namespace {

const MarginSubmission* FindSubmission(const std::vector<MarginSubmission>& all,
                                       std::optional<int64_t> id) {
  if (!id) return nullptr;
  for (const MarginSubmission& s : all) {
    if (s.id == *id) return &s;
  }
  return nullptr;
}

// The server estimate: schedule net IM, only over a complete set of OTC positions.
std::optional<ServerMarginEstimate> EstimateOf(const MarginStatusInput& input,
                                               const risk::PositionBenchmark& benchmark) {
  if (!input.positions_date || !benchmark.schedule_im || benchmark.excluded_count > 0) {
    return std::nullopt;
  }
  return ServerMarginEstimate{*benchmark.schedule_im, *input.positions_date};
}

std::string Pct(std::optional<double> ratio) {
  return ratio ? absl::StrFormat("%.2f%%", *ratio * 100) : std::string("n/a");
}

std::string DateOr(const std::optional<Date>& d) { return d ? FormatDate(*d) : std::string("-"); }

// What the deadline runs from: the last report, or for a fund without one, its exemption's end.
std::string LastEvent(const FundStatus& s) {
  const char* what = s.last_submission_source == LastSubmissionSource::kExemption
                         ? "no report, exempt until "
                         : "last report ";
  return absl::StrCat(what, DateOr(s.last_submission_date));
}

Finding Make(std::string rule, FindingSeverity severity, const FundStatusRow& row,
             std::string message, std::string dedup_key) {
  Finding f;
  f.rule = std::move(rule);
  f.severity = severity;
  f.fund_id = row.fund_id();
  f.reference_date = row.status.reference_date;
  f.message = std::move(message);
  f.dedup_key = std::move(dedup_key);
  return f;
}

void AddDeadlineFindings(const FundStatusRow& row, std::vector<Finding>& out) {
  const FundStatus& s = row.status;
  const int64_t fund = row.fund_id();
  if (s.deadline_status == DeadlineStatus::kNeverSubmitted) {
    out.push_back(Make("NEVER_SUBMITTED", FindingSeverity::kWarning, row,
                       absl::StrCat("fund ", fund, " is exposed (", AbslView(EnumName(
                                    s.consolidated_exposure)), ", every ",
                                    s.periodicity_days.value_or(0),
                                    " days) and has never submitted a margin report"),
                       absl::StrCat("NEVER_SUBMITTED:fund=", fund)));
  } else if (s.deadline_status == DeadlineStatus::kOverdue) {
    out.push_back(Make("OVERDUE", FindingSeverity::kWarning, row,
                       absl::StrCat("fund ", fund, " is overdue: ", LastEvent(s), ", due ",
                                    DateOr(s.next_due_date), ", ", -s.days_to_due.value_or(0),
                                    " days late"),
                       absl::StrCat("OVERDUE:fund=", fund, ":due=", DateOr(s.next_due_date))));
  }
}

void AddMarginFindings(const FundStatusRow& row, const RulesConfig& config,
                       std::vector<Finding>& out) {
  const FundStatus& s = row.status;
  const int64_t fund = row.fund_id();
  const std::optional<Money>& benchmark = row.benchmark.schedule_im;
  if (s.submission_id && s.local_margin && benchmark &&
      IsImplausibleMargin(*s.local_margin, benchmark->ToDouble(), config)) {
    out.push_back(Make(
        "IMPLAUSIBLE_MARGIN", FindingSeverity::kWarning, row,
        absl::StrCat("fund ", fund, " submission ", *s.submission_id, ": local margin ",
                     s.local_margin->ToString(), " is below ", config.implausible_margin_fraction,
                     " x the schedule IM benchmark ", benchmark->ToString(), " (",
                     row.benchmark.position_count, " positions)"),
        absl::StrCat("IMPLAUSIBLE_MARGIN:fund=", fund, ":submission=", *s.submission_id)));
  }
  if (row.risk.stale && s.submission_id) {
    out.push_back(Make("STALE_ESTIMATE", FindingSeverity::kInfo, row,
                       absl::StrCat("fund ", fund, ": risk capital uses submission ",
                                    *s.submission_id, ", older than the ",
                                    s.periodicity_days.value_or(0), "-day period"),
                       absl::StrCat("STALE_ESTIMATE:fund=", fund, ":submission=",
                                    *s.submission_id)));
  }
}

void AddLimitFindings(const FundStatusRow& row, std::vector<Finding>& out) {
  const RiskCapitalResult& r = row.risk;
  const int64_t fund = row.fund_id();
  const std::string figures =
      absl::StrCat("gross margin ", r.gross_margin.RoundToCents().ToString(), " over NAV ",
                   r.nav ? r.nav->ToString() : std::string("-"), " = ", Pct(r.utilisation),
                   " of the ", Pct(r.cap.cap), " ", AbslView(CapSourceWords(r.cap.source)));
  switch (r.limit_status) {
    case LimitStatus::kCritical:
      out.push_back(Make("NAV_CRITICAL", FindingSeverity::kCritical, row,
                         absl::StrCat("fund ", fund, " has NAV ",
                                      r.nav ? r.nav->ToString() : std::string("-"),
                                      " <= 0 on ", DateOr(r.nav_date)),
                         absl::StrCat("NAV_CRITICAL:fund=", fund)));
      break;
    case LimitStatus::kBreach:
      out.push_back(Make("LIMIT_BREACH", FindingSeverity::kCritical, row,
                         absl::StrCat("fund ", fund, " breaches its risk capital limit: ", figures,
                                      "; in breach since ", DateOr(r.breach.start_date), " (",
                                      r.breach.business_days, " business days)"),
                         absl::StrCat("LIMIT_BREACH:fund=", fund,
                                      ":since=", DateOr(r.breach.start_date))));
      break;
    case LimitStatus::kWarning:
      out.push_back(Make("LIMIT_WARNING", FindingSeverity::kWarning, row,
                         absl::StrCat("fund ", fund, " is near its risk capital limit: ", figures),
                         absl::StrCat("LIMIT_WARNING:fund=", fund)));
      break;
    default:
      break;
  }
}

// A margin component's three fields: amount, source, date (all empty when absent).
void Component(CanonicalLineWriter& w, const std::optional<MarginComponent>& c) {
  if (!c) {
    w.Empty().Empty().Empty();
    return;
  }
  w.Amount(c->amount).Enum(c->source).Day(c->date);
}

}  // namespace

absl::StatusOr<FundStatusRow> ComputeFundStatusRow(const MarginStatusInput& input,
                                                   const RulesConfig& config) {
  FundStatusRow row;
  row.manager_id = input.fund.manager_id;
  row.regulatory_class = input.fund.regulatory_class;
  row.target_audience = input.fund.target_audience;
  SubmissionStatusInput status_input{input.fund, input.exposure, input.submissions,
                                     input.exemptions, input.reference_date};
  ASSIGN_OR_RETURN(row.status, ComputeSubmissionStatus(status_input, config));
  if (input.positions_date) {
    ASSIGN_OR_RETURN(row.benchmark, risk::BenchmarkPositions(input.positions, input.reference_date));
  }
  RiskCapitalInput risk_input;
  risk_input.fund = input.fund;
  risk_input.reference_date = input.reference_date;
  if (input.nav && input.nav->position_date == input.reference_date) risk_input.nav = input.nav;
  risk_input.server_estimate = EstimateOf(input, row.benchmark);
  if (const MarginSubmission* s = FindSubmission(input.submissions, row.status.submission_id)) {
    risk_input.manager_submission = *s;
  }
  risk_input.periodicity_days = row.status.periodicity_days;
  if (input.previous && input.previous->status.reference_date < input.reference_date) {
    risk_input.previous = PreviousBreach{input.previous->status.reference_date,
                                         input.previous->risk.breach.start_date};
  }
  ASSIGN_OR_RETURN(row.risk, ComputeRiskCapital(risk_input, config));
  return row;
}

std::vector<Finding> FindingsForRow(const FundStatusRow& row, const RulesConfig& config) {
  std::vector<Finding> out;
  // One population for findings, status and KPIs: the monitored (OTC or offshore) funds.
  if (!row.monitored()) return out;
  AddDeadlineFindings(row, out);
  AddMarginFindings(row, config, out);
  AddLimitFindings(row, out);
  return out;
}

const std::vector<std::string>& MarginStatusRules() {
  static const auto* rules = new std::vector<std::string>{
      "OVERDUE",      "NEVER_SUBMITTED", "IMPLAUSIBLE_MARGIN", "STALE_ESTIMATE",
      "NAV_CRITICAL", "LIMIT_BREACH",    "LIMIT_WARNING"};
  return *rules;
}

std::string CanonicalLine(const FundStatusRow& row) {
  const FundStatus& s = row.status;
  const RiskCapitalResult& r = row.risk;
  const risk::PositionBenchmark& b = row.benchmark;
  std::string out;
  {
    CanonicalLineWriter w(&out);
    w.Int(s.fund_id).Day(s.reference_date).Str(s.rule_version).Int(row.manager_id);
    w.Enum(row.regulatory_class).Enum(row.target_audience).Enum(s.consolidated_exposure);
    w.Value(s.exposure_position_date).Value(s.periodicity_days).Value(s.submission_id);
    w.Value(s.submission_state).Value(s.exemption_id).Value(s.last_submission_date);
    w.Enum(s.last_submission_source).Value(s.next_due_date).Value(s.days_to_due);
    w.Enum(s.deadline_status).Enum(s.validation_status);
    w.Value(s.local_margin).Value(s.offshore_margin).Value(s.consolidated_margin);
    w.Value(r.nav).Value(r.nav_date);
    Component(w, r.exchange_margin);
    Component(w, r.otc_margin);
    Component(w, r.offshore_margin);
    w.Amount(r.gross_margin).Value(r.utilisation).Value(r.cap.cap).Enum(r.cap.source);
    w.Enum(r.limit_status).Bool(r.stale).Value(r.breach.start_date).Int(r.breach.business_days);
    w.Value(b.schedule_im).Value(b.saccr_ead).Int(b.position_count).Int(b.excluded_count);
  }  // the writer ends the line
  return out;
}

}  // namespace riskcap::rules
