// AdminService RPCs.
//
// Idempotency: CreateApiKey and RevokeApiKey apply their change through ApplyOnce
// (server/rpc/request_log.h), at most once per request id. A retried CreateApiKey is ALREADY_EXISTS
// naming the key it created, because the secret is never shown twice; a retried RevokeApiKey
// returns the key as it is now. Revoking with a new request id a key that is already revoked is
// FAILED_PRECONDITION.
#include "server/admin/admin_service.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "server/rpc/convert_common.h"
#include "server/funds/convert_fund.h"
#include "server/admin/keys_command.h"
#include "server/rpc/page_token.h"
#include "server/rpc/request_log.h"

namespace riskcap::server {
namespace {

// The store has no lookup by key id; a one-row keyset page starting at it is one.
absl::StatusOr<ApiKey> ApiKeyById(db::Store& store, int64_t id) {
  ASSIGN_OR_RETURN(auto rows, store.ListApiKeys({id - 1, 1}));
  if (rows.empty() || rows[0].id != id) {
    return absl::NotFoundError(absl::StrCat("API key ", id, " not found"));
  }
  return rows[0];
}

// The answer to a retried CreateApiKey: the key exists, but its secret cannot be shown again.
absl::Status SecretShownOnce(const std::string& request_id, int64_t key_id) {
  return absl::AlreadyExistsError(absl::StrCat(
      "request_id '", request_id, "' already created API key ", key_id,
      ", whose secret was shown only once; to get a secret, create a key with a new request_id "
      "(and revoke key ", key_id, " if its secret was lost)"));
}

absl::Status CreateKeyBody(const RpcEnv& env, const Principal& p,
                           const v1::CreateApiKeyRequest& r, CallInfo& info,
                           v1::CreateApiKeyResponse* out) {
  info.audit_detail = absl::StrCat("label=", r.label());
  RETURN_IF_ERROR(RequireRole(p, {}));
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  Role role = FromProtoEnum<Role>(r.role(), "role", errors);
  if (r.manager_id() < 0) errors.Add("manager_id", "must be > 0 for MANAGER keys, else 0");
  RETURN_IF_ERROR(errors.ToStatus());
  std::optional<int64_t> manager;
  if (r.manager_id() != 0) manager = r.manager_id();
  IssuedApiKey issued;
  Change change;
  change.apply = [&]() -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(issued, IssueApiKey(env.store, r.label(), role, manager, p.Name(),
                                         env.clock.Now()));
    // Before ApplyOnce commits: the audit record commits with the key.
    info.audit_detail = absl::StrCat("api_key=", issued.key.id, " role=",
                                     AbslView(EnumName(role)),
                                     manager ? absl::StrCat(" manager=", *manager) : "", " ",
                                     info.audit_detail);
    return issued.key.id;
  };
  ASSIGN_OR_RETURN(db::RequestOutcome done,
                   ApplyOnce(env.store, RequestKeyOf("AdminService/CreateApiKey", p, r), change,
                             info));
  if (done.replayed) return SecretShownOnce(r.request_id(), done.resource_id);
  ToProto(issued.key, out->mutable_api_key());
  out->set_secret(issued.secret);
  return absl::OkStatus();
}

absl::Status ListKeysBody(const RpcEnv& env, const Principal& p, const v1::ListApiKeysRequest& r,
                          v1::ListApiKeysResponse* out) {
  RETURN_IF_ERROR(RequireRole(p, {}));
  if (r.manager_id() < 0) return FieldError("manager_id", "must be >= 0 (0 = any manager)");
  ASSIGN_OR_RETURN(Pager pager, PagerFor(env.store, "AdminService/ListApiKeys", r));
  db::Page page = pager.page;
  db::ApiKeyFilter filter{.include_revoked = r.include_revoked()};
  if (r.manager_id() > 0) filter.manager_id = r.manager_id();
  ASSIGN_OR_RETURN(auto keys, env.store.ListApiKeys(filter, page));
  for (const ApiKey& k : keys) ToProto(k, out->add_api_keys());
  int64_t last = keys.empty() ? 0 : keys.back().id;
  out->set_next_page_token(pager.NextToken(last, keys.size(), page.limit));
  return absl::OkStatus();
}

absl::Status RevokeKeyBody(const RpcEnv& env, const Principal& p,
                           const v1::RevokeApiKeyRequest& r, CallInfo& info, v1::ApiKey* out) {
  info.audit_detail = absl::StrCat("api_key=", r.api_key_id());
  RETURN_IF_ERROR(RequireRole(p, {}));
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  if (r.api_key_id() <= 0) errors.Add("api_key_id", "is required (an API key id > 0)");
  RETURN_IF_ERROR(errors.ToStatus());
  Change change;
  change.apply = [&]() -> absl::StatusOr<int64_t> {
    RETURN_IF_ERROR(env.store.RevokeApiKey(r.api_key_id(), env.clock.Now()));
    return r.api_key_id();
  };
  ASSIGN_OR_RETURN(db::RequestOutcome done,
                   ApplyOnce(env.store, RequestKeyOf("AdminService/RevokeApiKey", p, r), change,
                             info));
  ASSIGN_OR_RETURN(ApiKey key, ApiKeyById(env.store, done.resource_id));
  ToProto(key, out);
  return absl::OkStatus();
}

// ListAuditRecords filters as the store applies them: records keep the method in the form it
// was recorded in, short ("FundService/CreateFund") or full, so a full method matches both.
absl::StatusOr<db::AuditFilter> ParseAuditFilter(const v1::ListAuditRecordsRequest& r) {
  db::AuditFilter filter;
  if (!r.actor().empty()) filter.principal = r.actor();
  if (!r.method().empty()) {
    std::string full = FullMethodName(r.method());
    filter.methods.push_back(full);
    constexpr absl::string_view kPackage = "/riskcap.v1.";
    if (absl::StartsWith(full, kPackage)) {
      std::string short_form(absl::string_view(full).substr(kPackage.size()));
      if (FullMethodName(short_form) == full) filter.methods.push_back(short_form);
    }
  }
  if (r.has_start_time()) filter.start = FromProtoTime(r.start_time());
  if (r.has_end_time()) filter.end = FromProtoTime(r.end_time());
  if (filter.start && filter.end && *filter.end <= *filter.start) {
    return FieldError("end_time", "must be after start_time");
  }
  return filter;
}

absl::Status ListAuditBody(const RpcEnv& env, const Principal& p,
                           const v1::ListAuditRecordsRequest& r,
                           v1::ListAuditRecordsResponse* out) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst}));
  ASSIGN_OR_RETURN(db::AuditFilter filter, ParseAuditFilter(r));
  ASSIGN_OR_RETURN(Pager pager, PagerFor(env.store, "AdminService/ListAuditRecords", r));
  db::Page page = pager.page;
  ASSIGN_OR_RETURN(auto records, env.store.ListAuditRecords(filter, page));
  for (const AuditRecord& a : records) ToProto(a, out->add_audit_records());
  int64_t last = records.empty() ? 0 : records.back().id;
  out->set_next_page_token(pager.NextToken(last, records.size(), page.limit));
  return absl::OkStatus();
}

absl::Status ServerInfoBody(const RpcEnv& env, v1::ServerInfo* out) {
  out->set_version(env.version);
  out->set_store_backend(env.store.backend() == db::Backend::kPostgresql
                             ? v1::STORE_BACKEND_POSTGRESQL
                             : v1::STORE_BACKEND_SQLITE);
  ASSIGN_OR_RETURN(int schema_version, env.store.SchemaVersion());
  out->set_schema_version(schema_version);
  return absl::OkStatus();
}

}  // namespace

grpc::Status AdminServiceImpl::CreateApiKey(grpc::ServerContext* context,
                                            const v1::CreateApiKeyRequest* request,
                                            v1::CreateApiKeyResponse* response) {
  return HandleRpc(env_, *context, "AdminService/CreateApiKey", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return CreateKeyBody(env_, p, *request, info, response);
                   });
}

grpc::Status AdminServiceImpl::ListApiKeys(grpc::ServerContext* context,
                                           const v1::ListApiKeysRequest* request,
                                           v1::ListApiKeysResponse* response) {
  return HandleRpc(env_, *context, "AdminService/ListApiKeys", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) {
                     return ListKeysBody(env_, p, *request, response);
                   });
}

grpc::Status AdminServiceImpl::RevokeApiKey(grpc::ServerContext* context,
                                            const v1::RevokeApiKeyRequest* request,
                                            v1::ApiKey* response) {
  return HandleRpc(env_, *context, "AdminService/RevokeApiKey", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return RevokeKeyBody(env_, p, *request, info, response);
                   });
}

grpc::Status AdminServiceImpl::ListAuditRecords(grpc::ServerContext* context,
                                                const v1::ListAuditRecordsRequest* request,
                                                v1::ListAuditRecordsResponse* response) {
  return HandleRpc(env_, *context, "AdminService/ListAuditRecords", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) {
                     return ListAuditBody(env_, p, *request, response);
                   });
}

grpc::Status AdminServiceImpl::GetServerInfo(grpc::ServerContext* context,
                                             const v1::GetServerInfoRequest*,
                                             v1::ServerInfo* response) {
  return HandleRpc(env_, *context, "AdminService/GetServerInfo", "", CallKind::kRead,
                   [&](const Principal&, CallInfo&) { return ServerInfoBody(env_, response); });
}

}  // namespace riskcap::server
