// AdminService's audit-chain RPCs: the signed head to keep outside, and verification. Both seal
// first, so every record committed before the call is covered.
#include "core/status_macros.h"
#include "server/admin/admin_service.h"
#include "server/admin/audit_sealer.h"
#include "server/admin/convert_audit_chain.h"

namespace riskcap::server {
namespace {

absl::Status HeadBody(const RpcEnv& env, const Principal& p, v1::AuditCheckpoint* out) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst}));
  if (env.audit_sealer == nullptr) {
    return absl::FailedPreconditionError("this server does not sign audit checkpoints");
  }
  ASSIGN_OR_RETURN(db::AuditCheckpoint head, env.audit_sealer->CheckpointNow());
  ToProto(head, out);
  return absl::OkStatus();
}

absl::Status VerifyBody(const RpcEnv& env, const Principal& p,
                        const v1::VerifyAuditLogRequest& r, v1::AuditVerification* out) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst}));
  db::AuditVerifyOptions options;
  if (r.has_against()) {
    ASSIGN_OR_RETURN(options.against, FromProto(r.against(), "against"));
  }
  if (env.audit_sealer != nullptr) {
    RETURN_IF_ERROR(env.audit_sealer->SealNow());
    options.trusted_public_key = env.audit_sealer->public_key();
  } else {
    RETURN_IF_ERROR(env.store.SealAllAudit().status());
  }
  ASSIGN_OR_RETURN(db::AuditVerification verification, env.store.VerifyAudit(options));
  ToProto(verification, out);
  out->set_public_key(options.trusted_public_key);
  return absl::OkStatus();
}

}  // namespace

grpc::Status AdminServiceImpl::GetAuditHead(grpc::ServerContext* context,
                                            const v1::GetAuditHeadRequest*,
                                            v1::AuditCheckpoint* response) {
  return HandleRpc(env_, *context, "AdminService/GetAuditHead", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) { return HeadBody(env_, p, response); });
}

grpc::Status AdminServiceImpl::VerifyAuditLog(grpc::ServerContext* context,
                                              const v1::VerifyAuditLogRequest* request,
                                              v1::AuditVerification* response) {
  return HandleRpc(env_, *context, "AdminService/VerifyAuditLog", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) {
                     return VerifyBody(env_, p, *request, response);
                   });
}

}  // namespace riskcap::server
