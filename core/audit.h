// Audit records (append-only: who did what, when) and API keys (stored only as hashes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "core/enums.h"

namespace riskcap {

// Bounds on every audit field, in bytes. The store refuses a longer value (InvalidArgument); the
// server never sends one: request ids are validated before anything is written (server/rpc/rpc.h),
// and a longer detail is cut to kMaxAuditDetail with a marker (server/rpc/rpc.cc BoundedDetail).
constexpr size_t kMaxAuditPrincipal = 128;
constexpr size_t kMaxAuditMethod = 128;
constexpr size_t kMaxAuditRequestId = 128;
constexpr size_t kMaxAuditOutcome = 32;
constexpr size_t kMaxAuditDetail = 512;

struct AuditRecord {
  int64_t id = 0;
  absl::Time at;
  std::string principal;  // e.g. "key:12" or "cli:local"
  std::string method;     // e.g. "/riskcap.v1.MarginService/SubmitMargin"
  std::string request_id;
  std::string outcome;  // "OK" or the status code name
  std::string detail;   // short context, e.g. the affected entity
};

// Calls that failed authentication from one peer to one method within one minute: counted in one
// row instead of one audit record each, so a flood cannot grow the store without bound.
struct AuthFailure {
  std::string peer;    // the caller's address without its port, e.g. "ipv4:10.1.2.3"
  absl::Time minute;   // start of the minute (UTC)
  std::string method;  // e.g. "MarginService/SubmitMargin"
  int64_t failures = 0;
  std::string last_reason;  // e.g. "unknown API key"
  absl::Time last_at;
};
constexpr size_t kMaxAuthFailurePeer = 128;
constexpr size_t kMaxAuthFailureReason = 128;

// An API key. The secret is shown once at creation; only its SHA-256 (hex) is stored.
struct ApiKey {
  int64_t id = 0;
  std::string label;
  Role role = Role::kService;
  std::optional<int64_t> manager_id;  // required for MANAGER keys, absent otherwise
  std::string secret_hash;            // hex SHA-256 of the secret
  absl::Time created_at;
  std::string created_by;
  std::optional<absl::Time> revoked_at;
};

}  // namespace riskcap
