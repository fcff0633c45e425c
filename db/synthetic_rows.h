// Bulk synthetic rows for the reads benchmark (riskcap_bench reads): a registry, audit log,
// findings, submissions and the other listed tables filled in a few INSERT ... SELECT statements
// each, so a million rows take seconds rather than a million API calls.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "core/date.h"
#include "db/store.h"

namespace riskcap::db {

struct SyntheticCounts {
  int64_t rows = 10'000;  // audit records, findings and submissions each
  int64_t funds = 1'000;  // also exemptions, job runs, reminders, and each snapshot's rows
  int64_t managers = 10;
  Date reference_date = Date(2026, 11, 23);  // of the findings and the snapshots
};

// Fills an empty, migrated store. Funds 1..funds belong to managers 1..managers round robin;
// one in twenty is inactive. Also writes one EXPOSURE and one MARGIN_STATUS snapshot version of
// `reference_date` with a row per fund (through the store's bulk writers).
absl::Status SeedSyntheticRows(Store& store, const SyntheticCounts& counts);

}  // namespace riskcap::db
