// Positions of many funds of one batch in one query, for jobs that would otherwise read them
// fund by fund (a round trip each on PostgreSQL).
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/position.h"
#include "db/store.h"

namespace riskcap::db {

// Every row of `fund_ids`' positions in positions version `version_id`, in the batch's canonical
// order (so grouped by fund, as Store::ListPositions returns them), read by ONE range scan
// however many funds are named (after one look-up of where their rows lie). Unknown funds add no
// rows; NotFound when the version is not a positions version.
absl::StatusOr<std::vector<Position>> ListPositionsOfFunds(Store& store, int64_t version_id,
                                                           const std::vector<int64_t>& fund_ids);

}  // namespace riskcap::db
