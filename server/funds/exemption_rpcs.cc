// FundService's exemption RPCs: analysts grant and revoke exemptions; every role lists them.
//
// Grant and revoke apply their change through ApplyOnce (server/rpc/request_log.h), at most once per
// request id; a retry returns the exemption as it is now. Revoking with a new request id an
// exemption that is already revoked is FAILED_PRECONDITION, as the RPC documents. An unknown
// exemption.fund_id is a field violation (INVALID_ARGUMENT).

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "server/rpc/convert_common.h"
#include "server/funds/convert_fund.h"
#include "server/funds/fund_service.h"
#include "server/rpc/page_token.h"
#include "server/rpc/request_log.h"

namespace riskcap::server {
namespace {

// The store has no lookup by exemption id; a one-row keyset page starting at it is one.
absl::StatusOr<Exemption> ExemptionById(db::Store& store, int64_t id) {
  ASSIGN_OR_RETURN(auto rows, store.ListExemptions(std::nullopt, {id - 1, 1}));
  if (rows.empty() || rows[0].id != id) {
    return absl::NotFoundError(absl::StrCat("exemption ", id, " not found"));
  }
  return rows[0];
}

// Records a violation on "exemption.fund_id" unless the fund exists.
absl::Status CheckFundRef(db::Store& store, int64_t fund_id, FieldErrors& errors) {
  if (fund_id <= 0) return absl::OkStatus();  // already reported as missing
  auto fund = store.GetFund(fund_id);
  if (absl::IsNotFound(fund.status())) {
    errors.Add("exemption.fund_id", absl::StrCat("fund ", fund_id, " does not exist"));
    return absl::OkStatus();
  }
  return fund.status();
}

absl::Status GrantBody(const RpcEnv& env, const Principal& p, const v1::GrantExemptionRequest& r,
                       CallInfo& info, v1::Exemption* out) {
  info.audit_detail = absl::StrCat("fund=", r.exemption().fund_id());
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst}));
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  Exemption e = ExemptionFromProto(r.exemption(), errors);
  RETURN_IF_ERROR(CheckFundRef(env.store, e.fund_id, errors));
  RETURN_IF_ERROR(errors.ToStatus());
  e.granted_by = p.Name();
  e.granted_at = env.clock.Now();
  Change change;
  change.apply = [&]() -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(Exemption granted, env.store.GrantExemption(e));
    info.audit_detail = absl::StrCat("exemption=", granted.id, " ", info.audit_detail);
    return granted.id;
  };
  ASSIGN_OR_RETURN(db::RequestOutcome done,
                   ApplyOnce(env.store, RequestKeyOf("FundService/GrantExemption", p, r), change,
                             info));
  if (done.replayed) {
    info.audit_detail = absl::StrCat("exemption=", done.resource_id, " ", info.audit_detail);
  }
  ASSIGN_OR_RETURN(Exemption now, ExemptionById(env.store, done.resource_id));
  ToProto(now, out);
  return absl::OkStatus();
}

absl::Status RevokeBody(const RpcEnv& env, const Principal& p,
                        const v1::RevokeExemptionRequest& r, CallInfo& info, v1::Exemption* out) {
  info.audit_detail = absl::StrCat("exemption=", r.exemption_id());
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst}));
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  if (r.exemption_id() <= 0) errors.Add("exemption_id", "is required (an exemption id > 0)");
  RETURN_IF_ERROR(errors.ToStatus());
  Change change;
  change.apply = [&]() -> absl::StatusOr<int64_t> {
    RETURN_IF_ERROR(env.store.RevokeExemption(r.exemption_id(), p.Name(), env.clock.Now()));
    ASSIGN_OR_RETURN(Exemption revoked, ExemptionById(env.store, r.exemption_id()));
    absl::StrAppend(&info.audit_detail, " fund=", revoked.fund_id);
    return r.exemption_id();
  };
  ASSIGN_OR_RETURN(db::RequestOutcome done,
                   ApplyOnce(env.store, RequestKeyOf("FundService/RevokeExemption", p, r), change,
                             info));
  ASSIGN_OR_RETURN(Exemption now, ExemptionById(env.store, done.resource_id));
  if (done.replayed) absl::StrAppend(&info.audit_detail, " fund=", now.fund_id);
  ToProto(now, out);
  return absl::OkStatus();
}

absl::Status ListExemptionsBody(const RpcEnv& env, const Principal& p,
                                const v1::ListExemptionsRequest& r, CallInfo&,
                                v1::ListExemptionsResponse* out) {
  if (r.fund_id() < 0) return FieldError("fund_id", "must be >= 0 (0 = any fund)");
  ASSIGN_OR_RETURN(Pager pager, PagerFor(env.store, "FundService/ListExemptions", r));
  db::Page page = pager.page;
  db::ExemptionFilter filter{.include_revoked = r.include_revoked()};
  if (r.fund_id() > 0) filter.fund_id = r.fund_id();
  if (p.role == Role::kManager) {
    // A fund filter must name one of the key's funds; without one, the key's funds only.
    if (filter.fund_id) {
      RETURN_IF_ERROR(GetAccessibleFund(env.store, p, *filter.fund_id).status());
    } else {
      filter.manager_id = p.manager_id.value_or(0);
    }
  }
  ASSIGN_OR_RETURN(auto rows, env.store.ListExemptions(filter, page));
  for (const Exemption& e : rows) ToProto(e, out->add_exemptions());
  int64_t last = rows.empty() ? 0 : rows.back().id;
  out->set_next_page_token(pager.NextToken(last, rows.size(), page.limit));
  return absl::OkStatus();
}

}  // namespace

grpc::Status FundServiceImpl::GrantExemption(grpc::ServerContext* context,
                                             const v1::GrantExemptionRequest* request,
                                             v1::Exemption* response) {
  return HandleRpc(env_, *context, "FundService/GrantExemption", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return GrantBody(env_, p, *request, info, response);
                   });
}

grpc::Status FundServiceImpl::RevokeExemption(grpc::ServerContext* context,
                                              const v1::RevokeExemptionRequest* request,
                                              v1::Exemption* response) {
  return HandleRpc(env_, *context, "FundService/RevokeExemption", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return RevokeBody(env_, p, *request, info, response);
                   });
}

grpc::Status FundServiceImpl::ListExemptions(grpc::ServerContext* context,
                                             const v1::ListExemptionsRequest* request,
                                             v1::ListExemptionsResponse* response) {
  return HandleRpc(env_, *context, "FundService/ListExemptions", "",
                   CallKind::kRead, [&](const Principal& p, CallInfo& info) {
                     return ListExemptionsBody(env_, p, *request, info, response);
                   });
}

}  // namespace riskcap::server
