// Audit records (append-only: who did what, when) and API keys (stored only as hashes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "core/enums.h"

namespace riskcap {

struct AuditRecord {
  int64_t id = 0;
  absl::Time at;
  std::string principal;  // e.g. "key:12" or "cli:local"
  std::string method;     // e.g. "/riskcap.v1.MarginService/SubmitMargin"
  std::string request_id;
  std::string outcome;  // "OK" or the status code name
  std::string detail;   // short context, e.g. the affected entity
};

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
