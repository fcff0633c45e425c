// What SubmitMargin and each SubmitMargins item do after authentication: validate, check the
// caller may report on the fund, apply idempotency, and commit the submission durably.
#pragma once

#include "absl/status/statusor.h"
#include "riskcap/v1/margin.pb.h"
#include "server/rpc/rpc.h"

namespace riskcap::server {

// A validated submission ready to commit, with what its receipt and audit record need.
struct PreparedSubmission {
  MarginSubmission submission;
  Fund fund;
  std::string next_due_date;         // for the receipt of a new submission
  std::optional<AuditRecord> audit;  // commits with the submission when set
};

// Thread-safe; shares the environment's store and batcher.
class SubmissionIntake {
 public:
  explicit SubmissionIntake(const RpcEnv& env) : env_(env) {}

  // Returns the receipt once the submission is durable (or the original receipt, replayed, when
  // the caller already sent the same request_id with the same content). Errors: INVALID_ARGUMENT
  // with field violations; PERMISSION_DENIED for a role that may not submit or a fund outside a
  // MANAGER key's scope; NOT_FOUND for an unknown fund; FAILED_PRECONDITION for an inactive fund;
  // ALREADY_EXISTS for a request_id reused with different content.
  // With `audit_method` set (a call auditing itself, as SubmitMargin does), the call's audit record
  // commits in the same transaction as a new submission and `info.audited` is set.
  absl::StatusOr<v1::SubmissionReceipt> Submit(const Principal& principal,
                                               const v1::SubmitMarginRequest& request,
                                               CallInfo& info,
                                               const char* audit_method = nullptr) const;

  // Submit in three steps, for callers that must not block while the write commits (the callback
  // path of SubmitMargin). Prepare checks everything and builds the row; it reads only through
  // the store's cache (db/internal/lookup_cache.h), so it blocks only on a cache miss. Once the row
  // committed with `id`, Accepted gives the receipt; when the insert found the request_id used
  // (AlreadyExists), Replay answers as the original (one read).
  absl::StatusOr<PreparedSubmission> Prepare(const Principal& principal,
                                             const v1::SubmitMarginRequest& request,
                                             CallInfo& info, const char* audit_method) const;
  static v1::SubmissionReceipt Accepted(const PreparedSubmission& prepared, int64_t id,
                                        CallInfo& info);
  absl::StatusOr<v1::SubmissionReceipt> Replay(const PreparedSubmission& prepared) const;

 private:
  absl::StatusOr<int64_t> Insert(const MarginSubmission& submission,
                                 std::optional<AuditRecord> audit) const;
  std::string NextDueDate(const Fund& fund, Date submitted_on) const;

  const RpcEnv& env_;
};

// The idempotency scope of a caller: its manager for MANAGER keys (so a manager's several keys
// share request ids), else the key itself.
std::string IdempotencyScope(const Principal& principal);

}  // namespace riskcap::server
