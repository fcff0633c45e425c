// FundService RPCs.
//
// Idempotency: the store keeps no table of request ids for registry calls, so a repeat is
// recognised by content instead. A create whose id is taken by an identical resource, and a
// grant identical to an unrevoked exemption by the same caller, return the existing resource
// (audited as "replayed"); an update re-applies the same values. Revoking twice is
// FAILED_PRECONDITION, as the RPC documents.
//
// Errors: an unknown fund.manager_id (create, update) or exemption.fund_id is a field violation
// (INVALID_ARGUMENT), as docs/api.md prescribes for references in a request; NOT_FOUND is kept
// for the resource the call names. A taken tax id is ALREADY_EXISTS naming the field and holder.
#include "server/fund_service.h"

#include <limits>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "server/convert_common.h"
#include "server/convert_fund.h"
#include "server/page_token.h"

namespace riskcap::server {
namespace {

constexpr db::Page kEverything{0, std::numeric_limits<int>::max()};

int64_t IdOf(const auto& row) { return row.id; }

// ALREADY_EXISTS naming `field` and the holder of `tax_id` when a resource other than
// `self_id` holds it; otherwise `original` (the store's own conflict).
template <typename T>
absl::Status TaxIdConflict(const PageSource<T>& source, const std::string& tax_id,
                           int64_t self_id, const std::string& field, const char* noun,
                           const absl::Status& original) {
  auto holds = [&](const T& r) { return r.tax_id == tax_id && r.id != self_id; };
  ASSIGN_OR_RETURN(auto holders, CollectAscending<T>(source, {0, 1}, holds, IdOf<T>));
  if (holders.empty()) return original;
  return absl::AlreadyExistsError(absl::StrCat(field, " ", tax_id, " is already registered to ",
                                               noun, " ", holders[0].id));
}

absl::Status ManagerConflict(db::Store& store, const Manager& m, const absl::Status& original) {
  PageSource<Manager> source = [&](const db::Page& p) { return store.ListManagers(p); };
  return TaxIdConflict(source, m.tax_id, m.id, "manager.tax_id", "manager", original);
}

absl::Status FundConflict(db::Store& store, const Fund& f, const absl::Status& original) {
  PageSource<Fund> source = [&](const db::Page& p) { return store.ListFunds(std::nullopt, p); };
  return TaxIdConflict(source, f.tax_id, f.id, "fund.tax_id", "fund", original);
}

// After the store refused a create as a duplicate: OK when the resource holding the id is
// identical to `wanted` (a retry), else ALREADY_EXISTS naming the taken id or tax id.
template <typename T>
absl::Status ReplayOrConflict(const absl::StatusOr<T>& existing, const T& wanted,
                              const char* id_field,
                              absl::FunctionRef<absl::Status()> tax_conflict) {
  if (absl::IsNotFound(existing.status())) return tax_conflict();
  RETURN_IF_ERROR(existing.status());
  if (*existing == wanted) return absl::OkStatus();
  return absl::AlreadyExistsError(absl::StrCat(id_field, " ", wanted.id, " is already taken by \"",
                                               existing->name, "\""));
}

// Records a violation on `field` unless manager `id` exists.
absl::Status CheckManagerRef(db::Store& store, int64_t id, const std::string& field,
                             FieldErrors& errors) {
  if (id <= 0) return absl::OkStatus();  // already reported as missing
  auto manager = store.GetManager(id);
  if (absl::IsNotFound(manager.status())) {
    errors.Add(field, absl::StrCat("manager ", id, " does not exist; create it first"));
    return absl::OkStatus();
  }
  return manager.status();
}

std::string MaskDetail(const google::protobuf::FieldMask& mask) {
  return absl::StrCat(" fields=", absl::StrJoin(mask.paths(), ","));
}

absl::Status CreateManagerBody(const RpcEnv& env, const Principal& p,
                               const v1::CreateManagerRequest& r, CallInfo& info,
                               v1::Manager* out) {
  info.audit_detail = absl::StrCat("manager=", r.manager().manager_id());
  RETURN_IF_ERROR(RequireRole(p, {}));  // ADMIN only
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  Manager m;
  m.id = r.manager().manager_id();
  if (m.id <= 0) errors.Add("manager.manager_id", "is required (the administrator's code, > 0)");
  MergeManager(r.manager(), ManagerPaths(), "manager", &m, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  absl::Status st = env.store.CreateManager(m).status();
  if (absl::IsAlreadyExists(st)) {
    RETURN_IF_ERROR(ReplayOrConflict<Manager>(env.store.GetManager(m.id), m, "manager.manager_id",
                                              [&] { return ManagerConflict(env.store, m, st); }));
    absl::StrAppend(&info.audit_detail, " replayed");
  } else {
    RETURN_IF_ERROR(st);
  }
  ToProto(m, out);
  return absl::OkStatus();
}

absl::Status UpdateManagerBody(const RpcEnv& env, const Principal& p,
                               const v1::UpdateManagerRequest& r, CallInfo& info,
                               v1::Manager* out) {
  int64_t id = r.manager().manager_id();
  info.audit_detail = absl::StrCat("manager=", id);
  RETURN_IF_ERROR(RequireRole(p, {}));  // ADMIN only
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  if (id <= 0) errors.Add("manager.manager_id", "is required (the manager to update, > 0)");
  FieldPaths paths = ParseUpdateMask(r.update_mask(), ManagerPaths(), errors);
  absl::StatusOr<Manager> current = Manager{};
  if (id > 0) current = env.store.GetManager(id);
  if (!current.ok() && !absl::IsNotFound(current.status())) return current.status();
  Manager m = current.ok() ? *current : Manager{};
  MergeManager(r.manager(), paths, "manager", &m, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  RETURN_IF_ERROR(current.status());  // NOT_FOUND only once the request itself is valid
  absl::Status st = env.store.UpdateManager(m);
  if (absl::IsAlreadyExists(st)) return ManagerConflict(env.store, m, st);
  RETURN_IF_ERROR(st);
  absl::StrAppend(&info.audit_detail, MaskDetail(r.update_mask()));
  ToProto(m, out);
  return absl::OkStatus();
}

absl::Status CreateFundBody(const RpcEnv& env, const Principal& p, const v1::CreateFundRequest& r,
                            CallInfo& info, v1::Fund* out) {
  info.audit_detail = absl::StrCat("fund=", r.fund().fund_id());
  RETURN_IF_ERROR(RequireRole(p, {}));  // ADMIN only
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  Fund f;
  f.id = r.fund().fund_id();
  if (f.id <= 0) errors.Add("fund.fund_id", "is required (the administrator's fund code, > 0)");
  MergeFund(r.fund(), FundPaths(), "fund", &f, errors);
  RETURN_IF_ERROR(CheckManagerRef(env.store, f.manager_id, "fund.manager_id", errors));
  RETURN_IF_ERROR(errors.ToStatus());
  absl::Status st = env.store.CreateFund(f);
  if (absl::IsAlreadyExists(st)) {
    RETURN_IF_ERROR(ReplayOrConflict<Fund>(env.store.GetFund(f.id), f, "fund.fund_id",
                                           [&] { return FundConflict(env.store, f, st); }));
    absl::StrAppend(&info.audit_detail, " replayed");
  } else if (absl::IsFailedPrecondition(st)) {  // the manager vanished since the check
    return FieldError("fund.manager_id", StdView(st.message()));
  } else {
    RETURN_IF_ERROR(st);
  }
  ToProto(f, out);
  return absl::OkStatus();
}

absl::Status UpdateFundBody(const RpcEnv& env, const Principal& p, const v1::UpdateFundRequest& r,
                            CallInfo& info, v1::Fund* out) {
  int64_t id = r.fund().fund_id();
  info.audit_detail = absl::StrCat("fund=", id);
  RETURN_IF_ERROR(RequireRole(p, {}));  // ADMIN only
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  if (id <= 0) errors.Add("fund.fund_id", "is required (the fund to update, > 0)");
  FieldPaths paths = ParseUpdateMask(r.update_mask(), FundPaths(), errors);
  absl::StatusOr<Fund> current = Fund{};
  if (id > 0) current = env.store.GetFund(id);
  if (!current.ok() && !absl::IsNotFound(current.status())) return current.status();
  Fund f = current.ok() ? *current : Fund{};
  MergeFund(r.fund(), paths, "fund", &f, errors);
  if (paths.contains("manager_id")) {
    RETURN_IF_ERROR(CheckManagerRef(env.store, f.manager_id, "fund.manager_id", errors));
  }
  RETURN_IF_ERROR(errors.ToStatus());
  RETURN_IF_ERROR(current.status());  // NOT_FOUND only once the request itself is valid
  absl::Status st = env.store.UpdateFund(f);
  if (absl::IsAlreadyExists(st)) return FundConflict(env.store, f, st);
  if (absl::IsFailedPrecondition(st)) return FieldError("fund.manager_id", StdView(st.message()));
  RETURN_IF_ERROR(st);
  absl::StrAppend(&info.audit_detail, MaskDetail(r.update_mask()));
  ToProto(f, out);
  return absl::OkStatus();
}

absl::Status ListFundsBody(const RpcEnv& env, const Principal& p, const v1::ListFundsRequest& r,
                           CallInfo&, v1::ListFundsResponse* out) {
  if (r.manager_id() < 0) return FieldError("manager_id", "must be >= 0 (0 = any manager)");
  std::optional<int64_t> manager;
  if (r.manager_id() > 0) manager = r.manager_id();
  if (p.role == Role::kManager) {
    if (manager && manager != p.manager_id) {
      return absl::PermissionDeniedError("a MANAGER key may list only its own manager's funds");
    }
    manager = p.manager_id;
  }
  ASSIGN_OR_RETURN(db::Page page, PageFromRequest(r.page_size(), r.page_token()));
  PageSource<Fund> source = [&](const db::Page& pg) { return env.store.ListFunds(manager, pg); };
  auto keep = [&](const Fund& f) { return r.include_inactive() || f.active; };
  ASSIGN_OR_RETURN(std::vector<Fund> funds, CollectAscending<Fund>(source, page, keep, IdOf<Fund>));
  for (const Fund& f : funds) ToProto(f, out->add_funds());
  int64_t last = funds.empty() ? 0 : funds.back().id;
  out->set_next_page_token(NextPageToken(last, funds.size(), page.limit));
  return absl::OkStatus();
}

// The store has no lookup by exemption id; a one-row keyset page starting at it is one.
absl::StatusOr<Exemption> ExemptionById(db::Store& store, int64_t id) {
  ASSIGN_OR_RETURN(auto rows, store.ListExemptions(std::nullopt, {id - 1, 1}));
  if (rows.empty() || rows[0].id != id) {
    return absl::NotFoundError(absl::StrCat("exemption ", id, " not found"));
  }
  return rows[0];
}

// An unrevoked exemption with the same content from the same caller: the result of a retry.
absl::StatusOr<std::optional<Exemption>> FindGranted(db::Store& store, const Exemption& e) {
  PageSource<Exemption> source = [&](const db::Page& p) {
    return store.ListExemptions(e.fund_id, p);
  };
  auto same_content = [&](const Exemption& x) {
    return !x.revoked_at && x.reason == e.reason && x.valid_from == e.valid_from &&
           x.valid_to == e.valid_to && x.granted_by == e.granted_by;
  };
  ASSIGN_OR_RETURN(auto same, CollectAscending<Exemption>(source, {0, 1}, same_content,
                                                          IdOf<Exemption>));
  if (same.empty()) return std::nullopt;
  return same[0];
}

absl::Status GrantBody(const RpcEnv& env, const Principal& p, const v1::GrantExemptionRequest& r,
                       CallInfo& info, v1::Exemption* out) {
  info.audit_detail = absl::StrCat("fund=", r.exemption().fund_id());
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst}));
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  Exemption e = ExemptionFromProto(r.exemption(), errors);
  if (e.fund_id > 0) {
    auto fund = env.store.GetFund(e.fund_id);
    if (absl::IsNotFound(fund.status())) {
      errors.Add("exemption.fund_id", absl::StrCat("fund ", e.fund_id, " does not exist"));
    } else if (!fund.ok()) {
      return fund.status();
    }
  }
  RETURN_IF_ERROR(errors.ToStatus());
  e.granted_by = p.Name();
  e.granted_at = env.clock.Now();
  ASSIGN_OR_RETURN(std::optional<Exemption> granted, FindGranted(env.store, e));
  bool replayed = granted.has_value();
  if (!replayed) {
    ASSIGN_OR_RETURN(granted, env.store.GrantExemption(e));
  }
  info.audit_detail = absl::StrCat("exemption=", granted->id, " fund=", e.fund_id,
                                   replayed ? " replayed" : "");
  ToProto(*granted, out);
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
  RETURN_IF_ERROR(env.store.RevokeExemption(r.exemption_id(), p.Name(), env.clock.Now()));
  ASSIGN_OR_RETURN(Exemption e, ExemptionById(env.store, r.exemption_id()));
  absl::StrAppend(&info.audit_detail, " fund=", e.fund_id);
  ToProto(e, out);
  return absl::OkStatus();
}

// The funds whose exemptions `p` may list: nullopt for any, or a MANAGER key's own funds.
absl::StatusOr<std::optional<absl::flat_hash_set<int64_t>>> ExemptionScope(
    const RpcEnv& env, const Principal& p, int64_t fund_id) {
  if (p.role != Role::kManager) return std::nullopt;
  if (fund_id > 0) {
    // The fund filter limits the list to one fund, which must be the key's.
    RETURN_IF_ERROR(GetAccessibleFund(env.store, p, fund_id).status());
    return std::nullopt;
  }
  ASSIGN_OR_RETURN(auto funds, env.store.ListFunds(p.manager_id, kEverything));
  absl::flat_hash_set<int64_t> own;
  for (const Fund& f : funds) own.insert(f.id);
  return own;
}

absl::Status ListExemptionsBody(const RpcEnv& env, const Principal& p,
                                const v1::ListExemptionsRequest& r, CallInfo&,
                                v1::ListExemptionsResponse* out) {
  if (r.fund_id() < 0) return FieldError("fund_id", "must be >= 0 (0 = any fund)");
  ASSIGN_OR_RETURN(db::Page page, PageFromRequest(r.page_size(), r.page_token()));
  ASSIGN_OR_RETURN(auto scope, ExemptionScope(env, p, r.fund_id()));
  std::optional<int64_t> fund;
  if (r.fund_id() > 0) fund = r.fund_id();
  PageSource<Exemption> source = [&](const db::Page& pg) {
    return env.store.ListExemptions(fund, pg);
  };
  auto keep = [&](const Exemption& e) {
    return (r.include_revoked() || !e.revoked_at) && (!scope || scope->contains(e.fund_id));
  };
  ASSIGN_OR_RETURN(auto rows, CollectDescending<Exemption>(source, page, keep, IdOf<Exemption>));
  for (const Exemption& e : rows) ToProto(e, out->add_exemptions());
  int64_t last = rows.empty() ? 0 : rows.back().id;
  out->set_next_page_token(NextPageToken(last, rows.size(), page.limit));
  return absl::OkStatus();
}

absl::Status GetManagerBody(const RpcEnv& env, const Principal& p,
                            const v1::GetManagerRequest& r, CallInfo&, v1::Manager* out) {
  int64_t id = r.manager_id();
  if (id <= 0) return FieldError("manager_id", "is required (a manager id > 0)");
  if (p.role == Role::kManager && p.manager_id != id) {
    return absl::PermissionDeniedError(
        absl::StrCat("manager ", id, " is not accessible with this key"));
  }
  ASSIGN_OR_RETURN(Manager m, env.store.GetManager(id));
  ToProto(m, out);
  return absl::OkStatus();
}

absl::Status ListManagersBody(const RpcEnv& env, const Principal& p,
                              const v1::ListManagersRequest& r, CallInfo&,
                              v1::ListManagersResponse* out) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst, Role::kService}));
  ASSIGN_OR_RETURN(db::Page page, PageFromRequest(r.page_size(), r.page_token()));
  ASSIGN_OR_RETURN(std::vector<Manager> rows, env.store.ListManagers(page));
  for (const Manager& m : rows) ToProto(m, out->add_managers());
  int64_t last = rows.empty() ? 0 : rows.back().id;
  out->set_next_page_token(NextPageToken(last, rows.size(), page.limit));
  return absl::OkStatus();
}

absl::Status GetFundBody(const RpcEnv& env, const Principal& p, const v1::GetFundRequest& r,
                         CallInfo&, v1::Fund* out) {
  if (r.fund_id() <= 0) return FieldError("fund_id", "is required (a fund id > 0)");
  ASSIGN_OR_RETURN(Fund f, GetAccessibleFund(env.store, p, r.fund_id()));
  ToProto(f, out);
  return absl::OkStatus();
}

}  // namespace

grpc::Status FundServiceImpl::CreateManager(grpc::ServerContext* context,
                                            const v1::CreateManagerRequest* request,
                                            v1::Manager* response) {
  return HandleRpc(env_, *context, "FundService/CreateManager", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return CreateManagerBody(env_, p, *request, info, response);
                   });
}

grpc::Status FundServiceImpl::UpdateManager(grpc::ServerContext* context,
                                            const v1::UpdateManagerRequest* request,
                                            v1::Manager* response) {
  return HandleRpc(env_, *context, "FundService/UpdateManager", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return UpdateManagerBody(env_, p, *request, info, response);
                   });
}

grpc::Status FundServiceImpl::GetManager(grpc::ServerContext* context,
                                         const v1::GetManagerRequest* request,
                                         v1::Manager* response) {
  return HandleRpc(env_, *context, "FundService/GetManager", "",
                   CallKind::kRead, [&](const Principal& p, CallInfo& info) {
                     return GetManagerBody(env_, p, *request, info, response);
                   });
}

grpc::Status FundServiceImpl::ListManagers(grpc::ServerContext* context,
                                           const v1::ListManagersRequest* request,
                                           v1::ListManagersResponse* response) {
  return HandleRpc(env_, *context, "FundService/ListManagers", "",
                   CallKind::kRead, [&](const Principal& p, CallInfo& info) {
                     return ListManagersBody(env_, p, *request, info, response);
                   });
}

grpc::Status FundServiceImpl::CreateFund(grpc::ServerContext* context,
                                         const v1::CreateFundRequest* request,
                                         v1::Fund* response) {
  return HandleRpc(env_, *context, "FundService/CreateFund", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return CreateFundBody(env_, p, *request, info, response);
                   });
}

grpc::Status FundServiceImpl::UpdateFund(grpc::ServerContext* context,
                                         const v1::UpdateFundRequest* request,
                                         v1::Fund* response) {
  return HandleRpc(env_, *context, "FundService/UpdateFund", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return UpdateFundBody(env_, p, *request, info, response);
                   });
}

grpc::Status FundServiceImpl::GetFund(grpc::ServerContext* context,
                                      const v1::GetFundRequest* request,
                                      v1::Fund* response) {
  return HandleRpc(env_, *context, "FundService/GetFund", "",
                   CallKind::kRead, [&](const Principal& p, CallInfo& info) {
                     return GetFundBody(env_, p, *request, info, response);
                   });
}

grpc::Status FundServiceImpl::ListFunds(grpc::ServerContext* context,
                                        const v1::ListFundsRequest* request,
                                        v1::ListFundsResponse* response) {
  return HandleRpc(env_, *context, "FundService/ListFunds", "",
                   CallKind::kRead, [&](const Principal& p, CallInfo& info) {
                     return ListFundsBody(env_, p, *request, info, response);
                   });
}

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
