// Opening and re-checking streaming calls.
#include "server/rpc/stream_call.h"

#include "core/status_macros.h"
#include "server/metrics/server_metrics.h"

namespace riskcap::server {

absl::Status OpenStream::IdleOr(absl::Status status) const {
  if (slot_ != nullptr && slot_->idled_out()) {
    return absl::DeadlineExceededError(
        "the client sent nothing within the stream idle limit (RISKCAP_STREAM_IDLE_SECONDS)");
  }
  return status;
}

namespace {

// riskcap_active_streams' kind of a streaming method: a bounded set.
std::string_view StreamKind(std::string_view method) {
  if (method.find("/Upload") != std::string_view::npos) return "upload";
  if (method.find("/Watch") != std::string_view::npos) return "watch";
  if (method.ends_with("/SubmitMargins")) return "submit_batch";
  return "other";
}

}  // namespace

absl::StatusOr<OpenStream> OpenStreamCall(const RpcEnv& env, grpc::ServerContext& context,
                                          std::string_view method,
                                          std::initializer_list<Role> roles) {
  ASSIGN_OR_RETURN(Principal principal, env.auth.Authenticate(context));
  RETURN_IF_ERROR(RequireRole(principal, roles));
  std::unique_ptr<StreamSlot> slot;
  if (env.streams != nullptr) {
    ASSIGN_OR_RETURN(slot, env.streams->Admit(principal.key_id, context, method));
  }
  metrics::GaugeHold active;
  if (env.metrics != nullptr) {
    active = metrics::GaugeHold(&env.metrics->ActiveStreams(StreamKind(method)));
  }
  return OpenStream(std::move(principal), std::move(slot), std::move(active));
}

grpc::Status RefuseStream(const RpcEnv& env, grpc::ServerContext& context,
                          std::string_view method, CallKind kind, const absl::Status& why) {
  // HandleRpc authenticates again: an unauthenticated call fails there the same way, and any
  // other refusal is recorded under the caller's principal.
  return HandleRpc(env, context, method, "", kind,
                   [&why](const Principal&, CallInfo&) { return why; });
}

absl::Status RecheckPrincipal(const RpcEnv& env, const grpc::ServerContext& context,
                              const Principal& principal) {
  ASSIGN_OR_RETURN(Principal now, env.auth.Authenticate(context));
  if (now.key_id != principal.key_id || now.role != principal.role) {
    return absl::UnauthenticatedError("the API key of this stream changed; open it again");
  }
  return absl::OkStatus();
}

}  // namespace riskcap::server
