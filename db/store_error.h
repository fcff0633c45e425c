// Store failures as clients see them: one generic sentence per cause (the store is unavailable,
// busy, full, or failed internally), with the database driver's own text kept apart in a payload
// that only the server log shows. SOCI exceptions become such statuses in StatusFromException
// (db/internal/database.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace riskcap::db {

// The generic messages clients see.
inline constexpr char kStoreUnavailable[] = "the store is unavailable; retry";
inline constexpr char kStoreBusy[] =
    "the store is busy: a lock was not granted within the lock timeout; retry";
inline constexpr char kStoreStatementTimeout[] =
    "the store did not finish within the statement timeout; retry";
inline constexpr char kStoreConflict[] =
    "the store aborted the transaction in a conflict with a concurrent one; retry";
inline constexpr char kStoreFull[] = "the store's disk is full; nothing was written";
inline constexpr char kStoreInternal[] = "internal store error (details in the server log)";

// A status with `code` and the generic `message`, carrying `detail` (the driver's text and where
// it failed) as a payload: absl::Status::ToString() shows it, the wire never does.
absl::Status StoreError(absl::StatusCode code, std::string_view message, std::string_view detail);

// The driver detail of a status made by StoreError; nullopt for any other status.
std::optional<std::string> StoreErrorDetail(const absl::Status& status);

}  // namespace riskcap::db
