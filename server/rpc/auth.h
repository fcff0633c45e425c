// Authentication and authorization: bearer API keys (stored as SHA-256 hashes) mapped to
// principals with a role, and the checks every RPC makes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "core/enums.h"
#include "core/fund.h"
#include "core/log_throttle.h"
#include "db/store.h"
#include "server/rpc/auth_failure_counter.h"

namespace riskcap::server {

// Who is calling: the API key's identity and powers.
struct Principal {
  int64_t key_id = 0;
  Role role = Role::kService;
  std::optional<int64_t> manager_id;  // set for MANAGER keys
  std::string label;
  // "key:12" — how the principal is recorded in audit records and submissions.
  std::string Name() const;
};

// Generates a new API key secret: "rk_" + 40 random base32 characters (200 bits, from OpenSSL).
std::string NewApiKeySecret();
// Hex SHA-256 of a secret: the only form the store keeps.
std::string HashApiKeySecret(const std::string& secret);

// How often a flood of failed authentication may log a warning.
constexpr absl::Duration kAuthFailureLogInterval = absl::Seconds(10);
// How long failed-authentication counts wait in memory before they are written to the store.
constexpr absl::Duration kAuthFailureFlushInterval = absl::Seconds(1);

// The caller's address without its port ("ipv4:10.1.2.3:5555" -> "ipv4:10.1.2.3"), so that one
// client's connections count together.
std::string PeerAddress(std::string_view peer);

// Resolves the "authorization: Bearer <secret>" metadata of a call to a Principal.
// Safe for concurrent use. Keys are looked up through the store's cache: a key revoked through
// this server's store is refused at once, one revoked by another process within
// db::Store::kLookupTtl.
class Authenticator {
 public:
  explicit Authenticator(db::Store& store);
  ~Authenticator();
  // UNAUTHENTICATED when the header is missing or malformed, the key unknown or revoked.
  absl::StatusOr<Principal> Authenticate(const grpc::ServerContextBase& context) const;

  // Records a call to `method` that Authenticate refused with `failure`: one more in the count
  // for (peer address, minute of `now`, method) — never an audit record per call — and a warning
  // log at most every kAuthFailureLogInterval, with how many were not logged. Counts are held in
  // memory and written to the store within kAuthFailureFlushInterval (server/
  // auth_failure_counter.h), so this never waits on the store; the call's answer does not change.
  void RecordFailure(const grpc::ServerContextBase& context, std::string_view method,
                     const absl::Status& failure, absl::Time now) const;
  // Writes the failure counts held in memory now (tests, shutdown).
  absl::Status FlushFailures() const;

 private:
  db::Store& store_;
  mutable LogThrottle failure_log_{kAuthFailureLogInterval};
  std::unique_ptr<AuthFailureCounter> failures_;
};

// PERMISSION_DENIED unless the principal's role is one of `allowed` (ADMIN is always allowed).
absl::Status RequireRole(const Principal& principal, std::initializer_list<Role> allowed);

// How GetAccessibleFund reads the fund: fresh, or through the store's short-lived cache (the
// submission hot path; see db/internal/lookup_cache.h for how stale it may be).
enum class FundRead { kFresh, kCached };

// Reads a fund the principal may see. A MANAGER key asking for a fund of another manager — or a
// fund that does not exist — gets the same PERMISSION_DENIED, so existence never leaks; other
// roles get NOT_FOUND for a missing fund.
absl::StatusOr<Fund> GetAccessibleFund(db::Store& store, const Principal& principal,
                                       int64_t fund_id, FundRead read = FundRead::kFresh);

}  // namespace riskcap::server
