// AdminService: API keys, the audit trail and what is serving.
#pragma once

#include "riskcap/v1/admin.grpc.pb.h"
#include "server/rpc/rpc.h"

namespace riskcap::server {

// Key management is ADMIN only; the audit trail is for ADMIN and ANALYST; server info for all.
// A revoked key is refused at once: the Authenticator reads the store on every call.
// Safe for concurrent use: holds no state beyond the injected environment.
class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  explicit AdminServiceImpl(const RpcEnv& env) : env_(env) {}

  grpc::Status CreateApiKey(grpc::ServerContext* context, const v1::CreateApiKeyRequest* request,
                            v1::CreateApiKeyResponse* response) override;
  grpc::Status ListApiKeys(grpc::ServerContext* context, const v1::ListApiKeysRequest* request,
                           v1::ListApiKeysResponse* response) override;
  grpc::Status RevokeApiKey(grpc::ServerContext* context, const v1::RevokeApiKeyRequest* request,
                            v1::ApiKey* response) override;
  grpc::Status ListAuditRecords(grpc::ServerContext* context,
                                const v1::ListAuditRecordsRequest* request,
                                v1::ListAuditRecordsResponse* response) override;
  grpc::Status GetServerInfo(grpc::ServerContext* context, const v1::GetServerInfoRequest* request,
                             v1::ServerInfo* response) override;
  // The audit chain (server/admin/audit_rpcs.cc): ANALYST or ADMIN.
  grpc::Status GetAuditHead(grpc::ServerContext* context, const v1::GetAuditHeadRequest* request,
                            v1::AuditCheckpoint* response) override;
  grpc::Status VerifyAuditLog(grpc::ServerContext* context,
                              const v1::VerifyAuditLogRequest* request,
                              v1::AuditVerification* response) override;

 private:
  const RpcEnv& env_;
};

}  // namespace riskcap::server
