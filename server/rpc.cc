// HandleRpc: authentication, audit and status mapping around each RPC body.
#include "server/rpc.h"

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "core/logger.h"
#include "server/grpc_status.h"

namespace riskcap::server {

AuditRecord CallAuditRecord(const RpcEnv& env, std::string_view principal, std::string_view method,
                            std::string_view request_id, const absl::Status& outcome,
                            const std::string& detail) {
  AuditRecord record;
  record.at = env.clock.Now();
  record.principal = std::string(principal);
  record.method = std::string(method);
  record.request_id = std::string(request_id);
  record.outcome = outcome.ok() ? "OK" : absl::StatusCodeToString(outcome.code());
  record.detail = detail;
  return record;
}

void LogAuditFailure(std::string_view method, std::string_view request_id,
                     const absl::Status& error) {
  Log(LogLevel::kError, "audit write failed",
      {{"method", method}, {"request_id", request_id}, {"error", error.ToString()}});
}

grpc::Status ReplyStatus(std::string_view method, const absl::Status& outcome) {
  if (!outcome.ok() && outcome.code() == absl::StatusCode::kInternal) {
    Log(LogLevel::kError, "internal error", {{"method", method}, {"error", outcome.ToString()}});
  }
  return ToGrpcStatus(outcome);
}

grpc::Status HandleRpc(const RpcEnv& env, const grpc::ServerContextBase& context,
                       std::string_view method, std::string_view request_id, CallKind kind,
                       const RpcBody& body) {
  auto principal = env.auth.Authenticate(context);
  CallInfo info;
  absl::Status outcome = principal.ok() ? body(*principal, info) : principal.status();
  if (kind == CallKind::kMutating && !info.audited) {
    AuditRecord record = CallAuditRecord(env, principal.ok() ? principal->Name() : "anonymous",
                                         method, request_id, outcome, info.audit_detail);
    absl::Status st = env.batcher != nullptr ? env.batcher->AppendAudit(record)
                                             : env.store.AppendAudit(record);
    if (!st.ok()) LogAuditFailure(method, request_id, st);
  }
  return ReplyStatus(method, outcome);
}

absl::Status ValidateRequestId(std::string_view request_id) {
  if (request_id.empty() || request_id.size() > 64) {
    return FieldError("request_id", "must be 1..64 characters (a UUID is recommended)");
  }
  for (char c : request_id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return FieldError("request_id", "may contain only letters, digits and . _ : -");
  }
  return absl::OkStatus();
}

}  // namespace riskcap::server
