// Risk capital (CVM Resolution 175, Anexo Normativo I, art. 73): gross margin against the cap of
// the fund's class, limit status, staleness and breach tracking. Pure functions: thread-safe, no
// I/O. Conventions and their sources: docs/rules.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/date.h"
#include "core/fund.h"
#include "core/margin_submission.h"
#include "core/money.h"
#include "core/nav.h"
#include "core/rules/rules_config.h"

namespace riskcap::rules {

enum class MarginSource { kExchange, kServerEstimate, kManager };
enum class CapSource { kNone, kRegulatoryClass, kBylaws };
enum class LimitStatus { kWithinLimit, kWarning, kBreach, kCritical, kNotApplicable };

}  // namespace riskcap::rules

namespace riskcap {

template <>
struct EnumNames<rules::MarginSource> {
  static constexpr std::string_view kType = "MarginSource";
  static constexpr auto kNames =
      std::to_array<std::string_view>({"EXCHANGE", "SERVER_ESTIMATE", "MANAGER"});
};
template <>
struct EnumNames<rules::CapSource> {
  static constexpr std::string_view kType = "CapSource";
  static constexpr auto kNames =
      std::to_array<std::string_view>({"NONE", "REGULATORY_CLASS", "BYLAWS"});
};
template <>
struct EnumNames<rules::LimitStatus> {
  static constexpr std::string_view kType = "LimitStatus";
  static constexpr auto kNames = std::to_array<std::string_view>(
      {"WITHIN_LIMIT", "WARNING", "BREACH", "CRITICAL", "NOT_APPLICABLE"});
};

}  // namespace riskcap

namespace riskcap::rules {

// The server's own margin estimate for the fund's OTC derivatives.
struct ServerMarginEstimate {
  Money amount;
  Date positions_date;  // the positions it was computed from
};

// What the previous risk-capital result of the fund said about breaches.
struct PreviousBreach {
  Date reference_date;
  std::optional<Date> breach_start_date;  // none = that result was not in breach
};

struct RiskCapitalInput {
  Fund fund;
  Date reference_date;
  std::optional<NavSnapshot> nav;  // must be dated reference_date; none = NOT_APPLICABLE
  std::optional<ServerMarginEstimate> server_estimate;  // dated on or before reference_date
  // The fund's effective submission (FundStatus::submission_id), whatever its review state.
  std::optional<MarginSubmission> manager_submission;
  std::optional<int32_t> periodicity_days;  // FundStatus::periodicity_days; none = never STALE
  std::optional<PreviousBreach> previous;   // the fund's latest result before reference_date
};

struct MarginComponent {
  Money amount;
  MarginSource source = MarginSource::kManager;
  Date date;  // NAV position date, estimate positions date, or submission reference date
  bool operator==(const MarginComponent&) const = default;
};

struct AppliedCap {
  std::optional<double> cap;  // fraction of NAV; none = no cap applies
  CapSource source = CapSource::kNone;
};

// How a message names where a cap came from: "class cap", "bylaws cap" or "no cap".
std::string_view CapSourceWords(CapSource source);

struct BreachState {
  std::optional<Date> start_date;  // none when not in breach
  int32_t business_days = 0;       // weekdays in [start_date, reference date]
};

struct RiskCapitalResult {
  int64_t fund_id = 0;
  Date reference_date;
  std::string rule_version;
  std::optional<Money> nav;
  std::optional<Date> nav_date;
  std::optional<int64_t> submission_id;  // the manager submission used, if any
  std::optional<MarginComponent> exchange_margin;
  std::optional<MarginComponent> otc_margin;
  std::optional<MarginComponent> offshore_margin;
  Money gross_margin;                 // sum of the present components, exact
  std::optional<double> utilisation;  // gross / NAV; none without a positive NAV
  AppliedCap cap;
  std::optional<double> warning_level;  // warning_fraction x cap
  LimitStatus limit_status = LimitStatus::kNotApplicable;
  bool stale = false;
  BreachState breach;
};

// Exchange (CCP) margin = exchange_margin_pct x NAV, the ratio read to 12 decimal places and the
// product rounded half-even to micro-units. InvalidArgument for a negative or non-finite ratio or
// NAV <= 0; OutOfRange when the amount does not fit in Money.
absl::StatusOr<Money> ExchangeMargin(const NavSnapshot& nav);

// The class cap, or the fund's bylaws cap when strictly lower. No cap for classes without one,
// whatever the bylaws say. InvalidArgument for a bylaws cap that is not in (0, 1].
absl::StatusOr<AppliedCap> CapFor(const Fund& fund, const RulesConfig& config);

// Status of `gross` against `cap` for NAV > 0, compared exactly (ratios at 1e-9 resolution):
// BREACH when gross / nav > cap; WARNING when >= warning_fraction x cap; else WITHIN_LIMIT.
LimitStatus ClassifyLimit(Money gross, Money nav, double cap, double warning_fraction);

// Breach start and consecutive business days (weekdays; holidays are not modelled), counting
// the reference date. A breach continues from `previous` when that result was in breach.
// InvalidArgument when previous is not before reference_date or its breach starts after it.
absl::StatusOr<BreachState> TrackBreach(bool in_breach, Date reference_date,
                                        const std::optional<PreviousBreach>& previous);

// True when the manager's margin is below implausible_margin_fraction x the server's benchmark
// (exactly at the fraction is plausible). False when the benchmark is not positive.
bool IsImplausibleMargin(Money submitted, double benchmark, const RulesConfig& config);

// The whole risk-capital result. InvalidArgument for inputs of another fund, a NAV snapshot not
// dated the reference date, an estimate dated after it, a negative margin or a bad bylaws cap;
// OutOfRange when gross margin overflows.
absl::StatusOr<RiskCapitalResult> ComputeRiskCapital(const RiskCapitalInput& input,
                                                     const RulesConfig& config);

}  // namespace riskcap::rules
