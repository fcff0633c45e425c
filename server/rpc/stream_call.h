// The opening every streaming handler shares: authenticate from metadata and take a place under
// the stream caps before reading a message or touching the store, and re-check the key while the
// stream lasts, so a revoked key loses its open streams.
#pragma once

#include <initializer_list>
#include <memory>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "server/rpc/auth.h"
#include "server/metrics/registry.h"
#include "server/rpc/rpc.h"
#include "server/rpc/stream_limits.h"

namespace riskcap::server {

// An admitted stream: who calls, and its place under env.streams (none when env.streams is
// null). Used by its call's thread only.
class OpenStream {
 public:
  // `active` counts the stream in riskcap_active_streams while it is open (none when empty).
  OpenStream(Principal principal, std::unique_ptr<StreamSlot> slot, metrics::GaugeHold active)
      : principal_(std::move(principal)), slot_(std::move(slot)), active_(std::move(active)) {}

  const Principal& principal() const { return principal_; }

  // reader.Read(message) under the idle limit (see StreamLimits).
  template <typename Reader, typename Message>
  bool Read(Reader& reader, Message* message) {
    return slot_ != nullptr ? slot_->Read(reader, message) : reader.Read(message);
  }

  // DEADLINE_EXCEEDED when the idle limit ended the stream, else `status`. (The client sees
  // CANCELLED either way: gRPC reports a call the server cancelled so; this is for the audit.)
  absl::Status IdleOr(absl::Status status) const;

 private:
  Principal principal_;
  std::unique_ptr<StreamSlot> slot_;
  metrics::GaugeHold active_;
};

// Authenticates the call from its metadata, checks the principal has one of `roles` (ADMIN
// always does), then admits it under env.streams: UNAUTHENTICATED, PERMISSION_DENIED or
// RESOURCE_EXHAUSTED (naming the cap) otherwise. Reads no message.
absl::StatusOr<OpenStream> OpenStreamCall(const RpcEnv& env, grpc::ServerContext& context,
                                          std::string_view method,
                                          std::initializer_list<Role> roles);

// The reply to a stream OpenStreamCall refused, audited like any call of its kind (HandleRpc).
grpc::Status RefuseStream(const RpcEnv& env, grpc::ServerContext& context,
                          std::string_view method, CallKind kind, const absl::Status& why);

// For each round of a long stream: UNAUTHENTICATED once the caller's key is revoked or gone
// (seen within db::Store::kLookupTtl of the change, through the store's key cache).
absl::Status RecheckPrincipal(const RpcEnv& env, const grpc::ServerContext& context,
                              const Principal& principal);

}  // namespace riskcap::server
