// Internal to db/: the submission and audit inserts shared by the one-at-a-time Store methods and
// the group commit (Store::WriteBatch), so both apply the same checks and SQL.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <soci/soci.h>

#include "absl/status/status.h"
#include "core/audit.h"
#include "core/margin_submission.h"

namespace riskcap::db {

// InvalidArgument naming the field when `m` is not a valid new (RECEIVED, undecided) submission.
absl::Status CheckNewSubmission(const MarginSubmission& m);
// Inserts `rows` (each already checked by CheckNewSubmission) in as few multi-row statements as
// their count allows, each one round trip to the server: a statement re-executed per row costs a
// round trip per row on PostgreSQL, and a group commit's batch is hundreds of rows. A row whose
// idempotency key is already stored, or used by an earlier row of `rows`, is skipped. Returns
// each row's new id in order, nullopt where skipped; ids increase in row order. Runs on the
// caller's transaction on `s`.
std::vector<std::optional<long long>> InsertSubmissions(
    soci::session& s, const std::vector<const MarginSubmission*>& rows);

// InvalidArgument when the record lacks a principal or method, or a field is longer than its
// bound (core/audit.h).
absl::Status CheckAuditRecord(const AuditRecord& r);

// Appends `records` (each already checked by CheckAuditRecord) in row order, in multi-row
// statements like InsertSubmissions.
void InsertAudits(soci::session& s, const std::vector<const AuditRecord*>& records);

}  // namespace riskcap::db
