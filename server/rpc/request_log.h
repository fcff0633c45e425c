// Idempotency of the registry and admin calls (docs/api.md, "Idempotency"): a call's request log
// key, and running its change at most once per request id through db::RunIdempotent.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <google/protobuf/message_lite.h>

#include "absl/status/statusor.h"
#include "db/store.h"
#include "server/rpc/auth.h"
#include "server/rpc/rpc.h"

namespace riskcap::server {

// Lowercase hex SHA-256 of `content` serialized deterministically.
std::string RequestContentHash(const google::protobuf::MessageLite& content);

// The request log key of a call to `method` (e.g. "FundService/CreateFund") by `principal`: its
// request id in the caller's IdempotencyScope, and the hash of `content`, the request with its
// request_id cleared.
db::RequestKey MakeRequestKey(std::string_view method, const Principal& principal,
                              const std::string& request_id,
                              const google::protobuf::MessageLite& content);

// The same for any request message with a request_id field: two requests hash alike exactly
// when they differ at most in request_id.
template <typename Request>
db::RequestKey RequestKeyOf(std::string_view method, const Principal& principal,
                            const Request& request) {
  Request content = request;
  content.clear_request_id();
  return MakeRequestKey(method, principal, request.request_id(), content);
}

// What a mutating call changes, for ApplyOnce.
struct Change {
  // Applies the change and returns the id of the resource it created or changed. Its store calls
  // join ApplyOnce's transaction; it must return at the first one that fails. Whatever it adds
  // to the call's audit detail is in the audit record that commits with the change.
  std::function<absl::StatusOr<int64_t>()> apply;
  // Rewrites a failure of `apply` into the error the caller should see, once the transaction has
  // rolled back (so it may read the store, e.g. to name who holds a taken tax id). Must return
  // an error. When unset, failures are returned as they are.
  std::function<absl::Status(const absl::Status&)> explain;
};

// Runs `change` at most once for `key` and returns the resource id with whether this call was a
// replay (then " replayed" is appended to the audit detail). Errors: apply's, explained;
// ALREADY_EXISTS when the request id was already used with different content.
// When the change is applied, the call's audit record (info.append_ok_audit, with the detail as
// `apply` leaves it) commits in the same transaction and info.audited is set: so `apply` must
// complete info.audit_detail, e.g. with the id it created.
absl::StatusOr<db::RequestOutcome> ApplyOnce(db::Store& store, const db::RequestKey& key,
                                             const Change& change, CallInfo& info);

}  // namespace riskcap::server
