// BCBS-IOSCO standardised initial-margin schedule ("Margin requirements for non-centrally cleared
// derivatives", Appendix A) for one netting set: the server's second independent benchmark for
// a fund's OTC margin. Pure functions: thread-safe, no I/O. Conventions: docs/risk-methods.md.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/risk/netting_set.h"

namespace riskcap::risk {

struct ImScheduleResult {
  std::string id;                     // the netting set's id
  double gross_im = 0;                // sum |notional| x schedule rate
  double gross_replacement_cost = 0;  // sum max(mtm, 0)
  double net_replacement_cost = 0;    // max(sum mtm, 0)
  double ngr = 1;                     // net / gross replacement cost; 1 when gross RC is 0
  double net_im = 0;                  // 0.4 x gross_im + 0.6 x ngr x gross_im
};

// The schedule margin of `netting_set`. Margin terms (collateral, threshold, ...) are not used.
// InvalidArgument (from ValidateNettingSet(.., Method::kImSchedule)) on bad input.
absl::StatusOr<ImScheduleResult> ComputeImSchedule(const NettingSet& netting_set);

// The schedule rate (fraction of notional) for the trade's asset class and, for IR and credit,
// residual-maturity bucket: [0, 2], (2, 5], (5, ...) years by maturity_years.
double ImScheduleRate(const Trade& trade);

}  // namespace riskcap::risk
