// HandleRpc: authentication, audit and status mapping around each RPC body.
#include "server/rpc/rpc.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "core/logger.h"
#include "core/status_macros.h"
#include "server/rpc/grpc_status.h"
#include "server/metrics/server_metrics.h"

namespace riskcap::server {

AuditRecord CallAuditRecord(const RpcEnv& env, std::string_view principal, std::string_view method,
                            std::string_view request_id, const absl::Status& outcome,
                            const std::string& detail) {
  AuditRecord record;
  record.at = env.clock.Now();
  record.principal = std::string(principal);
  record.method = std::string(method);
  // Callers validated it (CheckRequestIdBound); the bound is kept even if one did not.
  record.request_id = CheckRequestIdBound(request_id).ok() ? std::string(request_id) : "?";
  record.outcome = outcome.ok() ? "OK" : absl::StatusCodeToString(outcome.code());
  record.detail = BoundedAuditDetail(detail);
  return record;
}

absl::Status CommitAudited(db::Store& store, CallInfo& info,
                           const std::function<absl::Status()>& change) {
  absl::Status committed = store.InTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(change());
    return info.append_ok_audit ? info.append_ok_audit() : absl::OkStatus();
  });
  if (committed.ok() && info.append_ok_audit) info.audited = true;
  return committed;
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

grpc::Status RecordCall(const RpcEnv& env, std::string_view method, CallStart start,
                        grpc::Status reply) {
  if (env.metrics != nullptr) {
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    env.metrics->RecordRpc(method, reply.error_code(), took.count());
  }
  return reply;
}

void RecordAuthFailure(const RpcEnv& env, const grpc::ServerContextBase& context,
                       std::string_view method, const absl::Status& failure) {
  env.auth.RecordFailure(context, method, failure, env.clock.Now());
  if (env.metrics != nullptr) env.metrics->RecordAuthFailure(method);
}

namespace {

grpc::Status RunRpc(const RpcEnv& env, const grpc::ServerContextBase& context,
                    std::string_view method, std::string_view request_id, CallKind kind,
                    const RpcBody& body) {
  if (kind == CallKind::kMutating) {
    // First: an unbounded or malformed id must not reach the audit log, nor any other table.
    if (absl::Status bad = CheckRequestIdBound(request_id); !bad.ok()) {
      return ReplyStatus(method, bad);
    }
  }
  auto principal = env.auth.Authenticate(context);
  if (!principal.ok()) {
    if (absl::IsUnauthenticated(principal.status())) {
      RecordAuthFailure(env, context, method, principal.status());
    }
    return ReplyStatus(method, principal.status());
  }
  CallInfo info;
  if (kind == CallKind::kMutating) {
    info.append_ok_audit = [&]() {
      return env.store.AppendAudit(CallAuditRecord(env, principal->Name(), method, request_id,
                                                   absl::OkStatus(), info.audit_detail));
    };
  }
  absl::Status outcome = body(*principal, info);
  if (kind == CallKind::kMutating && !info.audited) {
    AuditRecord record =
        CallAuditRecord(env, principal->Name(), method, request_id, outcome, info.audit_detail);
    absl::Status st = env.batcher != nullptr ? env.batcher->AppendAudit(record)
                                             : env.store.AppendAudit(record);
    if (!st.ok()) LogAuditFailure(method, request_id, st);
  }
  return ReplyStatus(method, outcome);
}

}  // namespace

grpc::Status HandleRpc(const RpcEnv& env, const grpc::ServerContextBase& context,
                       std::string_view method, std::string_view request_id, CallKind kind,
                       const RpcBody& body) {
  const CallStart start = std::chrono::steady_clock::now();
  return RecordCall(env, method, start, RunRpc(env, context, method, request_id, kind, body));
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

absl::Status CheckRequestIdBound(std::string_view request_id) {
  if (request_id.size() > kMaxAuditRequestId) {
    // Says how long it was, never echoes it: the id may be megabytes.
    return FieldError("request_id", absl::StrCat("is ", request_id.size(), " bytes; at most ",
                                                 kMaxAuditRequestId, " are accepted (1..64 of "
                                                 "[A-Za-z0-9._:-], a UUID is recommended)"));
  }
  for (char c : request_id) {
    if (c < 0x20 || c > 0x7e) {
      return FieldError("request_id", "may contain only printable ASCII (letters, digits and "
                                      ". _ : - are valid; a UUID is recommended)");
    }
  }
  return absl::OkStatus();
}

std::string BoundedAuditDetail(std::string_view detail) {
  std::string escaped;
  escaped.reserve(std::min(detail.size(), kMaxAuditDetail + 1));
  size_t used = 0;
  for (; used < detail.size() && escaped.size() <= kMaxAuditDetail; ++used) {
    unsigned char c = static_cast<unsigned char>(detail[used]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      escaped.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&escaped, absl::CHexEscape(absl::string_view(&detail[used], 1)));
    }
  }
  if (used == detail.size() && escaped.size() <= kMaxAuditDetail) return escaped;
  // Room for the marker, whose count is at most 20 digits.
  constexpr size_t kMarkerRoom = 32;
  escaped.resize(kMaxAuditDetail - kMarkerRoom);
  absl::StrAppend(&escaped, "...[cut; ", detail.size(), " bytes in all]");
  return escaped;
}

}  // namespace riskcap::server
