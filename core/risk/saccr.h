// Basel SA-CCR exposure at default of one netting set (BCBS 279, March 2014; Basel Framework
// CRE52), the server's independent benchmark for a fund's OTC margin. Pure functions of their
// inputs: thread-safe, no I/O. Conventions and sources: docs/risk-methods.md.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/risk/netting_set.h"

namespace riskcap::risk {

inline constexpr double kSaccrAlpha = 1.4;
inline constexpr double kSaccrMultiplierFloor = 0.05;
inline constexpr double kBusinessDaysPerYear = 250;
inline constexpr double kMinimumHorizonYears = 10 / kBusinessDaysPerYear;  // 10 business days

struct SaccrOptions {
  // Offset across the three IR maturity buckets of a currency (the standard's formula). false
  // selects the permitted no-offset variant: D = |D1| + |D2| + |D3|.
  bool ir_bucket_offset = true;
};

// Add-on per SA-CCR asset class, already summed over that class's hedging sets.
struct AddOnByClass {
  double interest_rate = 0;
  double foreign_exchange = 0;
  double credit = 0;
  double equity = 0;
  double commodity = 0;
};

struct SaccrResult {
  std::string id;  // the netting set's id
  double replacement_cost = 0;
  AddOnByClass addon;
  double addon_aggregate = 0;
  double multiplier = 1;
  double pfe = 0;  // multiplier x addon_aggregate
  double ead = 0;  // alpha x (replacement_cost + pfe)
};

// SA-CCR EAD of `netting_set`. InvalidArgument (from ValidateNettingSet(.., Method::kSaccr)) when
// a field the method needs is missing or out of range.
absl::StatusOr<SaccrResult> ComputeSaccr(const NettingSet& netting_set,
                                         const SaccrOptions& options = {});

// Building blocks of ComputeSaccr, exposed so that tests and audits can check intermediate
// figures. They assume a trade that passed validation.

// SD = (exp(-0.05 S) - exp(-0.05 E)) / 0.05 with S floored at 0 and E at 10 business days.
double SupervisoryDuration(double start_years, double end_years);
// d: notional x SD for IR and credit, the notional itself otherwise.
double AdjustedNotional(const Trade& trade);
// +1 / -1 for linear trades; the Black-Scholes delta at the supervisory volatility for options.
double SupervisoryDelta(const Trade& trade);
// MF: sqrt(min(max(M, 10 days), 1 year)) unmargined, 1.5 sqrt(MPOR / 250) margined.
double MaturityFactor(const NettingSet& netting_set, const Trade& trade);
// Supervisory factor and option volatility of the trade's asset class / rating / type.
double SupervisoryFactor(const Trade& trade);
double SupervisoryOptionVolatility(const Trade& trade);
// max(V - C, 0) unmargined; max(V - C, TH + MTA - NICA, 0) margined.
double ReplacementCost(const NettingSet& netting_set);
// min(1, 0.05 + 0.95 exp((V - C) / (2 x 0.95 x AddOn))); 1 when the add-on is 0.
double PfeMultiplier(double value_minus_collateral, double addon_aggregate);

}  // namespace riskcap::risk
