// Risk capital: gross margin components, cap, exact limit comparison, staleness, breach tracking.
#include "core/rules/risk_capital.h"

#include <cmath>
#include <limits>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"

namespace riskcap::rules {
namespace {

// exchange_margin_pct is read to 12 decimal places: far finer than any feed, and exact integer
// arithmetic from there on, so a 10-billion NAV keeps its micro-units (a double would not).
constexpr int64_t kPctScale = 1'000'000'000'000;
// Caps and fractions are compared at parts-per-billion: fine enough for any configured decimal,
// coarse enough that 0.8 x 0.2 is exactly 0.16 (it is not, in binary floating point).
constexpr int64_t kRatioScale = 1'000'000'000;

int64_t ToPpb(double ratio) { return static_cast<int64_t>(std::llround(ratio * kRatioScale)); }

// q = n / d rounded half-even, for n >= 0 and d > 0.
absl::uint128 DivideHalfEven(absl::uint128 n, absl::uint128 d) {
  absl::uint128 q = n / d;
  const absl::uint128 twice_remainder = (n % d) * 2;
  if (twice_remainder > d || (twice_remainder == d && (q & 1) == 1)) ++q;
  return q;
}

absl::Status CheckNotNegative(Money amount, std::string_view what, int64_t fund_id) {
  if (amount.micros() >= 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(AbslView(what), " of fund ", fund_id, " is ",
                                                 amount.ToString(), "; margin cannot be negative"));
}

absl::Status CheckInputs(const RiskCapitalInput& input) {
  const int64_t fund_id = input.fund.id;
  if (input.nav && input.nav->fund_id != fund_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("NAV snapshot is for fund ", input.nav->fund_id, ", not fund ", fund_id));
  }
  if (input.nav && input.nav->position_date != input.reference_date) {
    return absl::InvalidArgumentError(absl::StrCat(
        "NAV snapshot of fund ", fund_id, " is dated ", FormatDate(input.nav->position_date),
        "; utilisation needs the NAV of the reference date ", FormatDate(input.reference_date)));
  }
  if (input.server_estimate && input.server_estimate->positions_date > input.reference_date) {
    return absl::InvalidArgumentError(absl::StrCat(
        "server margin estimate of fund ", fund_id, " is dated ",
        FormatDate(input.server_estimate->positions_date), ", after the reference date"));
  }
  if (input.server_estimate) {
    RETURN_IF_ERROR(CheckNotNegative(input.server_estimate->amount, "server estimate", fund_id));
  }
  if (const auto& s = input.manager_submission) {
    if (s->fund_id != fund_id) {
      return absl::InvalidArgumentError(
          absl::StrCat("submission ", s->id, " is for fund ", s->fund_id, ", not fund ", fund_id));
    }
    RETURN_IF_ERROR(CheckNotNegative(s->local_margin, "local_margin", fund_id));
    RETURN_IF_ERROR(CheckNotNegative(s->offshore_margin, "offshore_margin", fund_id));
  }
  return absl::OkStatus();
}

// Exchange margin from the NAV snapshot (positive NAV only), OTC margin from the server estimate
// or else the manager, offshore margin from the manager.
absl::Status FillComponents(const RiskCapitalInput& input, RiskCapitalResult& result) {
  if (input.nav && input.nav->nav.micros() > 0) {
    ASSIGN_OR_RETURN(Money exchange, ExchangeMargin(*input.nav));
    result.exchange_margin =
        MarginComponent{exchange, MarginSource::kExchange, input.nav->position_date};
  }
  const std::optional<MarginSubmission>& submission = input.manager_submission;
  if (input.server_estimate) {
    result.otc_margin =
        MarginComponent{input.server_estimate->amount, MarginSource::kServerEstimate,
                        input.server_estimate->positions_date};
  } else if (submission) {
    result.otc_margin = MarginComponent{submission->local_margin, MarginSource::kManager,
                                        submission->reference_date};
  }
  if (submission) {
    result.offshore_margin = MarginComponent{submission->offshore_margin, MarginSource::kManager,
                                             submission->reference_date};
    result.submission_id = submission->id;
  }
  return absl::OkStatus();
}

absl::Status SumGross(RiskCapitalResult& result) {
  for (const auto* component :
       {&result.exchange_margin, &result.otc_margin, &result.offshore_margin}) {
    if (!component->has_value()) continue;
    absl::StatusOr<Money> sum = result.gross_margin.Add((*component)->amount);
    if (!sum.ok()) {
      return absl::OutOfRangeError(absl::StrCat("gross margin of fund ", result.fund_id,
                                                " overflows: ", sum.status().message()));
    }
    result.gross_margin = *sum;
  }
  return absl::OkStatus();
}

// A manager figure older than the fund's reporting period is stale (exactly one period is not).
// A given submission is always used (it supplies at least the offshore component), so its
// reference date decides.
bool IsStale(const RiskCapitalInput& input) {
  if (!input.periodicity_days || !input.manager_submission) return false;
  const int64_t age = input.reference_date - input.manager_submission->reference_date;
  return age > *input.periodicity_days;
}

LimitStatus LimitStatusOf(const std::optional<NavSnapshot>& nav, const RiskCapitalResult& result,
                          const RulesConfig& config) {
  if (!result.cap.cap || !nav) return LimitStatus::kNotApplicable;
  if (nav->nav.micros() <= 0) return LimitStatus::kCritical;
  return ClassifyLimit(result.gross_margin, nav->nav, *result.cap.cap, config.warning_fraction);
}

}  // namespace

absl::StatusOr<Money> ExchangeMargin(const NavSnapshot& nav) {
  const double pct = nav.exchange_margin_pct;
  if (!std::isfinite(pct) || pct < 0) {
    return absl::InvalidArgumentError(absl::StrCat("exchange_margin_pct of fund ", nav.fund_id,
                                                   " is ", pct, "; it must be a ratio >= 0"));
  }
  if (nav.nav.micros() <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("NAV of fund ", nav.fund_id, " is ",
                                                   nav.nav.ToString(),
                                                   "; exchange margin needs a positive NAV"));
  }
  constexpr double kMaxScaledPct = static_cast<double>(std::numeric_limits<int64_t>::max() / 2);
  const double scaled_pct = std::nearbyint(pct * kPctScale);
  const absl::uint128 product = scaled_pct < kMaxScaledPct
                                    ? absl::uint128(static_cast<uint64_t>(scaled_pct)) *
                                          absl::uint128(static_cast<uint64_t>(nav.nav.micros()))
                                    : absl::Uint128Max();
  const absl::uint128 micros = DivideHalfEven(product, kPctScale);
  if (micros > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::OutOfRangeError(absl::StrCat("exchange margin of fund ", nav.fund_id, " (", pct,
                                              " x NAV ", nav.nav.ToString(),
                                              ") does not fit in a money amount"));
  }
  return Money::FromMicros(static_cast<int64_t>(absl::Uint128Low64(micros)));
}

absl::StatusOr<AppliedCap> CapFor(const Fund& fund, const RulesConfig& config) {
  const std::optional<double> class_cap = config.ClassCap(fund.regulatory_class);
  if (const std::optional<double>& bylaws = fund.bylaws_margin_cap) {
    if (!std::isfinite(*bylaws) || *bylaws <= 0 || *bylaws > 1) {
      return absl::InvalidArgumentError(absl::StrCat("bylaws_margin_cap of fund ", fund.id, " is ",
                                                     *bylaws, "; it must be a ratio in (0, 1]"));
    }
  }
  if (!class_cap) return AppliedCap{};
  if (fund.bylaws_margin_cap && ToPpb(*fund.bylaws_margin_cap) < ToPpb(*class_cap)) {
    return AppliedCap{fund.bylaws_margin_cap, CapSource::kBylaws};
  }
  return AppliedCap{class_cap, CapSource::kRegulatoryClass};
}

std::string_view CapSourceWords(CapSource source) {
  switch (source) {
    case CapSource::kRegulatoryClass: return "class cap";
    case CapSource::kBylaws: return "bylaws cap";
    case CapSource::kNone: break;
  }
  return "no cap";
}

LimitStatus ClassifyLimit(Money gross, Money nav, double cap, double warning_fraction) {
  if (nav.micros() <= 0) return LimitStatus::kCritical;
  const absl::int128 gross_micros = gross.micros();
  const absl::int128 nav_micros = nav.micros();
  const absl::int128 cap_ppb = ToPpb(cap);
  // gross / nav > cap  <=>  gross x 1e9 > cap_ppb x nav (nav > 0), all exact in 128 bits.
  if (gross_micros * kRatioScale > cap_ppb * nav_micros) return LimitStatus::kBreach;
  const absl::int128 warning_ppb2 = cap_ppb * ToPpb(warning_fraction);
  if (gross_micros * kRatioScale * kRatioScale >= warning_ppb2 * nav_micros) {
    return LimitStatus::kWarning;
  }
  return LimitStatus::kWithinLimit;
}

absl::StatusOr<BreachState> TrackBreach(bool in_breach, Date reference_date,
                                        const std::optional<PreviousBreach>& previous) {
  if (previous && previous->reference_date >= reference_date) {
    return absl::InvalidArgumentError(
        absl::StrCat("previous result is dated ", FormatDate(previous->reference_date),
                     ", not before the reference date ", FormatDate(reference_date)));
  }
  if (previous && previous->breach_start_date &&
      *previous->breach_start_date > previous->reference_date) {
    return absl::InvalidArgumentError(
        absl::StrCat("previous breach starts ", FormatDate(*previous->breach_start_date),
                     ", after its own reference date ", FormatDate(previous->reference_date)));
  }
  if (!in_breach) return BreachState{};
  const Date start =
      previous && previous->breach_start_date ? *previous->breach_start_date : reference_date;
  // WeekdaysBetween counts (from, to]; starting the day before includes the start date.
  return BreachState{start, static_cast<int32_t>(WeekdaysBetween(start - 1, reference_date))};
}

bool IsImplausibleMargin(Money submitted, double benchmark, const RulesConfig& config) {
  if (!std::isfinite(benchmark) || benchmark <= 0) return false;
  return submitted.ToDouble() < config.implausible_margin_fraction * benchmark;
}

absl::StatusOr<RiskCapitalResult> ComputeRiskCapital(const RiskCapitalInput& input,
                                                     const RulesConfig& config) {
  RETURN_IF_ERROR(CheckInputs(input));
  RiskCapitalResult result;
  result.fund_id = input.fund.id;
  result.reference_date = input.reference_date;
  result.rule_version = config.rule_version;
  ASSIGN_OR_RETURN(result.cap, CapFor(input.fund, config));
  if (result.cap.cap) result.warning_level = config.warning_fraction * *result.cap.cap;
  if (input.nav) {
    result.nav = input.nav->nav;
    result.nav_date = input.nav->position_date;
  }
  RETURN_IF_ERROR(FillComponents(input, result));
  RETURN_IF_ERROR(SumGross(result));
  if (result.nav && result.nav->micros() > 0) {
    result.utilisation = result.gross_margin.ToDouble() / result.nav->ToDouble();
  }
  result.limit_status = LimitStatusOf(input.nav, result, config);
  result.stale = IsStale(input);
  const bool in_breach =
      result.limit_status == LimitStatus::kBreach || result.limit_status == LimitStatus::kCritical;
  ASSIGN_OR_RETURN(result.breach, TrackBreach(in_breach, input.reference_date, input.previous));
  return result;
}

}  // namespace riskcap::rules
