// Internal to db/: single-row inserts shared by the one-at-a-time Store methods and the group
// commit (Store::WriteBatch), so both apply the same checks and SQL.
#pragma once

#include <optional>

#include <soci/soci.h>

#include "absl/status/status.h"
#include "core/audit.h"
#include "core/margin_submission.h"

namespace riskcap::db {

// InvalidArgument naming the field when `m` is not a valid new (RECEIVED, undecided) submission.
absl::Status CheckNewSubmission(const MarginSubmission& m);
// Inserts `m` unless its idempotency key is taken; the new id, or nullopt when taken.
std::optional<long long> InsertSubmissionRow(soci::session& s, const MarginSubmission& m);

// InvalidArgument when the record lacks a principal or method.
absl::Status CheckAuditRecord(const AuditRecord& r);
void InsertAuditRow(soci::session& s, const AuditRecord& r);

}  // namespace riskcap::db
