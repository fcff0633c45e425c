// Internal to db/: single-row inserts shared by the one-at-a-time Store methods and the group
// commit (Store::WriteBatch), so both apply the same checks and SQL.
#pragma once

#include <optional>
#include <string>

#include <soci/soci.h>

#include "absl/status/status.h"
#include "core/audit.h"
#include "core/margin_submission.h"

namespace riskcap::db {

// InvalidArgument naming the field when `m` is not a valid new (RECEIVED, undecided) submission.
absl::Status CheckNewSubmission(const MarginSubmission& m);
// Inserts submissions through one statement, parsed once and executed per row, so a group
// commit does not parse the SQL again for every row. Not thread-safe; lives within one
// transaction on `s`.
class SubmissionInserter {
 public:
  explicit SubmissionInserter(soci::session& s);
  // Inserts `m` unless its idempotency key is taken; the new id, or nullopt when taken.
  std::optional<long long> Insert(const MarginSubmission& m);

 private:
  // Bound by reference into st_, so declared (and constructed) before it.
  long long fund_id_ = 0, local_ = 0, offshore_ = 0, submitted_at_ = 0, id_ = 0;
  std::string date_, methodology_, by_, key_, hash_, state_;
  soci::indicator returned_ = soci::i_null;
  soci::statement st_;
};

// InvalidArgument when the record lacks a principal or method, or a field is longer than its
// bound (core/audit.h).
absl::Status CheckAuditRecord(const AuditRecord& r);

// Appends audit records through one statement, like SubmissionInserter.
class AuditInserter {
 public:
  explicit AuditInserter(soci::session& s);
  void Insert(const AuditRecord& r);

 private:
  long long at_us_ = 0;
  std::string principal_, method_, request_id_, outcome_, detail_;
  soci::statement st_;
};

}  // namespace riskcap::db
