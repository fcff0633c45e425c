// Which inputs a MARGIN_STATUS snapshot version was computed from (table margin_status_inputs,
// migration 0017), so a status figure can be explained and recomputed (docs/rules.md,
// "Explaining a status figure"). Free functions over a Store; thread-safe like the Store.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/rules/status_explanation.h"
#include "core/snapshot_version.h"
#include "db/store.h"

namespace riskcap::db {

// Records `ids` for status version `version_id`. Call inside the transaction that writes the
// version (Store::InTransaction) so both commit together; a second record for the same version
// fails.
absl::Status RecordStatusInputs(Store& store, int64_t version_id,
                                const rules::StatusInputIds& ids);

// What version `version_id` recorded; nullopt for a version written before recording began.
absl::StatusOr<std::optional<rules::StatusInputIds>> GetStatusInputs(Store& store,
                                                                     int64_t version_id);

// Any snapshot version by its server-wide id; NotFound when absent.
absl::StatusOr<SnapshotVersion> GetSnapshotVersionById(Store& store, int64_t id);

}  // namespace riskcap::db
