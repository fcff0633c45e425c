// ExplainRow: a status row's arithmetic in words and numbers, step by step, from its stored
// figures (docs/rules.md, "Explaining a status figure").
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/absl_compat.h"
#include "core/rules/status_explanation.h"

namespace riskcap::rules {
namespace {

std::string Name(auto value) { return std::string(EnumName(value)); }
std::string DateText(const std::optional<Date>& d) { return d ? FormatDate(*d) : "-"; }
std::string Ratio(double r) { return absl::StrFormat("%.6g (%.4f%%)", r, r * 100); }
std::string Amount(const std::optional<MarginComponent>& c) {
  return c ? c->amount.ToString() : "0 (none)";
}

class Steps {
 public:
  Steps(const FundStatusRow& row, const ExplanationFacts& facts) : row_(row), facts_(facts) {}

  void Add(std::string name, std::string text) {
    std::string value = CanonicalValue(row_, name);
    out_.push_back(ExplanationStep{std::move(name), std::move(value), std::move(text)});
  }
  std::vector<ExplanationStep> Take() { return std::move(out_); }

  std::string Exposure() const {
    const FundStatus& s = row_.status;
    if (!row_.monitored()) {
      return "not exposed to OTC derivatives or offshore funds: not monitored (N/A)";
    }
    return absl::StrCat("consolidated exposure ", Name(s.consolidated_exposure),
                        " from the exposure snapshot of positions date ",
                        DateText(s.exposure_position_date), ", audience ",
                        Name(row_.target_audience), ": reports due every ",
                        s.periodicity_days.value_or(0), " days");
  }

  std::string Deadline() const {
    const FundStatus& s = row_.status;
    if (s.deadline_status == DeadlineStatus::kNotApplicable) return "not monitored: N/A";
    if (s.deadline_status == DeadlineStatus::kNeverSubmitted) {
      return "no report, validation or exemption on file: NEVER_SUBMITTED";
    }
    return absl::StrCat("last ", Name(s.last_submission_source), " ",
                        DateText(s.last_submission_date), " + ", s.periodicity_days.value_or(0),
                        " days = due ", DateText(s.next_due_date), "; ",
                        s.days_to_due.value_or(0), " days to due on ",
                        FormatDate(s.reference_date), ": ", Name(s.deadline_status));
  }

  std::string Validation() const {
    const FundStatus& s = row_.status;
    std::string basis = "no submission";
    if (s.submission_id) {
      basis = absl::StrCat("submission ", *s.submission_id, " is ",
                           s.submission_state ? Name(*s.submission_state) : "-",
                           " as of the reference date");
    }
    if (s.exemption_id) absl::StrAppend(&basis, "; exemption ", *s.exemption_id, " in force");
    return absl::StrCat(basis, ": ", Name(s.validation_status));
  }

  std::string Exchange() const {
    const RiskCapitalResult& r = row_.risk;
    if (!r.exchange_margin) {
      return r.nav ? "none: NAV <= 0" : "none: no NAV snapshot of the reference date";
    }
    return absl::StrCat("exchange margin = exchange_margin_pct ",
                        facts_.exchange_margin_pct ? absl::StrCat(*facts_.exchange_margin_pct)
                                                   : std::string("?"),
                        " x NAV ", r.nav ? r.nav->ToString() : "-",
                        " (rounded half-even to micro-units) = ",
                        r.exchange_margin->amount.ToString(),
                        ", from the NAV snapshot of ", FormatDate(r.exchange_margin->date));
  }

  std::string Otc() const {
    const RiskCapitalResult& r = row_.risk;
    const risk::PositionBenchmark& b = row_.benchmark;
    if (r.otc_margin && r.otc_margin->source == MarginSource::kServerEstimate) {
      return absl::StrCat("OTC margin = the server's schedule IM over ", b.position_count,
                          " OTC positions of ", FormatDate(r.otc_margin->date), " = ",
                          r.otc_margin->amount.ToString());
    }
    std::string why = b.excluded_count > 0
                          ? absl::StrCat(b.excluded_count, " OTC positions lack fields the "
                                                           "schedule needs, so no server estimate")
                          : std::string("no OTC positions to estimate from");
    if (!r.otc_margin) return absl::StrCat("none: ", why, " and no submission");
    return absl::StrCat("OTC margin = the manager's local margin ", r.otc_margin->amount.ToString(),
                        " (submission ", row_.status.submission_id.value_or(0), " of ",
                        FormatDate(r.otc_margin->date), "); ", why);
  }

  std::string Offshore() const {
    const RiskCapitalResult& r = row_.risk;
    if (!r.offshore_margin) return "none: no submission";
    return absl::StrCat("offshore margin = the manager's offshore margin ",
                        r.offshore_margin->amount.ToString(), " (submission ",
                        row_.status.submission_id.value_or(0), " of ",
                        FormatDate(r.offshore_margin->date), ")");
  }

  std::string Gross() const {
    const RiskCapitalResult& r = row_.risk;
    return absl::StrCat("gross margin = exchange ", Amount(r.exchange_margin), " + OTC ",
                        Amount(r.otc_margin), " + offshore ", Amount(r.offshore_margin), " = ",
                        r.gross_margin.ToString());
  }

  std::string Utilisation() const {
    const RiskCapitalResult& r = row_.risk;
    if (!r.utilisation) {
      return r.nav ? absl::StrCat("none: NAV ", r.nav->ToString(), " is not positive")
                   : std::string("none: no NAV snapshot of the reference date");
    }
    return absl::StrCat("utilisation = gross ", r.gross_margin.ToString(), " / NAV ",
                        r.nav->ToString(), " = ", Ratio(*r.utilisation));
  }

  std::string Cap() const {
    const RiskCapitalResult& r = row_.risk;
    const std::string klass = Name(row_.regulatory_class);
    const std::string class_cap =
        facts_.class_cap ? Ratio(*facts_.class_cap) : std::string("none");
    const std::string bylaws = facts_.bylaws_cap ? Ratio(*facts_.bylaws_cap) : std::string("none");
    if (!r.cap.cap) return absl::StrCat("no cap: class ", klass, " has none (N/A)");
    return absl::StrCat("cap = min(class cap ", class_cap, " for ", klass, ", bylaws cap ", bylaws,
                        ") = ", Ratio(*r.cap.cap), " (", Name(r.cap.source), ")");
  }

  std::string Limit() const {
    const RiskCapitalResult& r = row_.risk;
    switch (r.limit_status) {
      case LimitStatus::kCritical:
        return absl::StrCat("NAV ", r.nav ? r.nav->ToString() : "-", " <= 0: CRITICAL");
      case LimitStatus::kNotApplicable:
        return !r.cap.cap ? "no cap applies: NOT_APPLICABLE"
                          : "no NAV snapshot of the reference date: NOT_APPLICABLE";
      default:
        break;
    }
    const double cap = r.cap.cap.value_or(0);
    const double warning = cap * facts_.warning_fraction;
    const std::string u = Ratio(r.utilisation.value_or(0));
    if (r.limit_status == LimitStatus::kBreach) {
      return absl::StrCat("utilisation ", u, " > cap ", Ratio(cap), ": BREACH");
    }
    const std::string level = absl::StrCat("warning level ", Ratio(warning), " (",
                                           facts_.warning_fraction, " x cap ", Ratio(cap), ")");
    if (r.limit_status == LimitStatus::kWarning) {
      return absl::StrCat("utilisation ", u, " >= ", level, " and <= the cap: WARNING");
    }
    return absl::StrCat("utilisation ", u, " < ", level, ": WITHIN_LIMIT");
  }

  std::string Stale() const {
    if (!row_.risk.stale) return "not stale";
    return absl::StrCat("the manager figure (submission ", row_.status.submission_id.value_or(0),
                        ") is older than the ", row_.status.periodicity_days.value_or(0),
                        "-day period: STALE");
  }

  std::string Breach() const {
    const BreachState& b = row_.risk.breach;
    if (!b.start_date) return "not in breach: 0 business days";
    const bool continued =
        facts_.previous_breach_start && *facts_.previous_breach_start == *b.start_date;
    std::string since = continued ? absl::StrCat("continuing the breach of the previous result (",
                                                 DateText(facts_.previous_date), ")")
                                  : std::string("starting on the reference date");
    return absl::StrCat("in breach since ", FormatDate(*b.start_date), ", ", since, ": ",
                        b.business_days, " business days (weekdays from ",
                        FormatDate(*b.start_date), " to ", FormatDate(row_.status.reference_date),
                        ")");
  }

 private:
  const FundStatusRow& row_;
  const ExplanationFacts& facts_;
  std::vector<ExplanationStep> out_;
};

}  // namespace

std::vector<ExplanationStep> ExplainRow(const FundStatusRow& row, const ExplanationFacts& facts) {
  Steps steps(row, facts);
  steps.Add("consolidated_exposure", steps.Exposure());
  steps.Add("deadline_status", steps.Deadline());
  steps.Add("validation_status", steps.Validation());
  steps.Add("exchange_margin", steps.Exchange());
  steps.Add("otc_margin", steps.Otc());
  steps.Add("offshore_component", steps.Offshore());
  steps.Add("gross_margin", steps.Gross());
  steps.Add("utilisation", steps.Utilisation());
  steps.Add("cap", steps.Cap());
  steps.Add("limit_status", steps.Limit());
  steps.Add("stale", steps.Stale());
  steps.Add("breach_business_days", steps.Breach());
  return steps.Take();
}

}  // namespace riskcap::rules
