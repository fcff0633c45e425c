// FundService RPCs for managers and funds; the exemption RPCs are in server/funds/exemption_rpcs.cc.
//
// Idempotency: each mutating call applies its change through ApplyOnce (server/rpc/request_log.h),
// at most once per request id: a retry with the same content returns the resource as it is now,
// with different content ALREADY_EXISTS. A new request id is a new request, so a create with a
// taken id fails ALREADY_EXISTS even when its content matches the holder.
//
// Errors: an unknown fund.manager_id (create, update) is a field violation (INVALID_ARGUMENT), as
// docs/api.md prescribes for references in a request; NOT_FOUND is kept for the resource the call
// names. A taken id or tax id is ALREADY_EXISTS naming the field and the holder.
#include "server/funds/fund_service.h"

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "server/rpc/convert_common.h"
#include "server/funds/convert_contacts.h"
#include "server/funds/convert_fund.h"
#include "server/rpc/page_token.h"
#include "server/rpc/request_log.h"

namespace riskcap::server {
namespace {

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

// Explains a create the store refused as a duplicate: ALREADY_EXISTS naming the taken id and its
// holder, or else (`holder` NOT_FOUND) the taken tax id.
template <typename T>
absl::Status CreateConflict(const absl::StatusOr<T>& holder, const T& wanted,
                            const char* id_field,
                            absl::FunctionRef<absl::Status()> tax_conflict) {
  if (absl::IsNotFound(holder.status())) return tax_conflict();
  RETURN_IF_ERROR(holder.status());
  return absl::AlreadyExistsError(absl::StrCat(id_field, " ", wanted.id, " is already taken by \"",
                                               holder->name, "\""));
}

absl::Status ExplainManagerRefusal(db::Store& store, const Manager& m, bool create,
                                   const absl::Status& refused) {
  if (!absl::IsAlreadyExists(refused)) return refused;
  auto tax_conflict = [&] { return ManagerConflict(store, m, refused); };
  if (!create) return tax_conflict();
  return CreateConflict<Manager>(store.GetManager(m.id), m, "manager.manager_id", tax_conflict);
}

absl::Status ExplainFundRefusal(db::Store& store, const Fund& f, bool create,
                                const absl::Status& refused) {
  if (absl::IsFailedPrecondition(refused)) {  // the manager vanished since it was checked
    return FieldError("fund.manager_id", StdView(refused.message()));
  }
  if (!absl::IsAlreadyExists(refused)) return refused;
  auto tax_conflict = [&] { return FundConflict(store, f, refused); };
  if (!create) return tax_conflict();
  return CreateConflict<Fund>(store.GetFund(f.id), f, "fund.fund_id", tax_conflict);
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

// The response of a manager call: the manager as it is now.
absl::Status ManagerNow(db::Store& store, int64_t id, v1::Manager* out) {
  ASSIGN_OR_RETURN(Manager m, store.GetManager(id));
  ToProto(m, out);
  ASSIGN_OR_RETURN(ManagerContacts contacts, store.GetManagerContacts(id));
  ContactsToProto(contacts, out);
  return absl::OkStatus();
}



absl::Status FundNow(db::Store& store, int64_t id, v1::Fund* out) {
  ASSIGN_OR_RETURN(Fund f, store.GetFund(id));
  ToProto(f, out);
  return absl::OkStatus();
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
  ManagerContacts contacts;  // the contact fields the request sets; none is required
  FieldPaths contact_paths;
  if (r.manager().contact_emails_size() > 0) contact_paths.insert("contact_emails");
  if (!r.manager().webhook_url().empty()) contact_paths.insert("webhook_url");
  if (!r.manager().webhook_secret().empty()) contact_paths.insert("webhook_secret");
  MergeContacts(r.manager(), contact_paths, "manager", &contacts, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  Change change;
  change.apply = [&]() -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(Manager created, env.store.CreateManager(m));
    if (!(contacts == ManagerContacts{})) {
      RETURN_IF_ERROR(env.store.SetManagerContacts(created.id, contacts));
    }
    return created.id;
  };
  change.explain = [&](const absl::Status& st) {
    return ExplainManagerRefusal(env.store, m, /*create=*/true, st);
  };
  ASSIGN_OR_RETURN(db::RequestOutcome done,
                   ApplyOnce(env.store, RequestKeyOf("FundService/CreateManager", p, r), change,
                             info));
  return ManagerNow(env.store, done.resource_id, out);
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
  FieldPaths paths = ParseUpdateMask(r.update_mask(), ManagerUpdatePaths(), errors);
  Manager m;  // validates the new values here; the update merges them onto the stored manager
  MergeManager(r.manager(), paths, "manager", &m, errors);
  FieldPaths contact_paths;
  for (const std::string& path : paths) {
    if (ContactPaths().contains(path)) contact_paths.insert(path);
  }
  RETURN_IF_ERROR(errors.ToStatus());
  Change change;
  change.apply = [&]() -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(m, env.store.GetManager(id));  // NOT_FOUND only once the request is valid
    FieldErrors validated_above;
    MergeManager(r.manager(), paths, "manager", &m, validated_above);
    RETURN_IF_ERROR(env.store.UpdateManager(m));
    if (contact_paths.empty()) return id;
    // Merged onto the stored contacts: a new URL may keep the stored secret, and a URL without
    // any secret is refused here, naming the field.
    ASSIGN_OR_RETURN(ManagerContacts contacts, env.store.GetManagerContacts(id));
    FieldErrors contact_errors;
    MergeContacts(r.manager(), contact_paths, "manager", &contacts, contact_errors);
    RETURN_IF_ERROR(contact_errors.ToStatus());
    RETURN_IF_ERROR(env.store.SetManagerContacts(id, contacts));
    return id;
  };
  change.explain = [&](const absl::Status& st) {
    return ExplainManagerRefusal(env.store, m, /*create=*/false, st);
  };
  absl::StrAppend(&info.audit_detail, MaskDetail(r.update_mask()));
  ASSIGN_OR_RETURN(db::RequestOutcome done,
                   ApplyOnce(env.store, RequestKeyOf("FundService/UpdateManager", p, r), change,
                             info));
  return ManagerNow(env.store, done.resource_id, out);
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
  Change change;
  change.apply = [&]() -> absl::StatusOr<int64_t> {
    RETURN_IF_ERROR(env.store.CreateFund(f));
    return f.id;
  };
  change.explain = [&](const absl::Status& st) {
    return ExplainFundRefusal(env.store, f, /*create=*/true, st);
  };
  ASSIGN_OR_RETURN(db::RequestOutcome done,
                   ApplyOnce(env.store, RequestKeyOf("FundService/CreateFund", p, r), change,
                             info));
  return FundNow(env.store, done.resource_id, out);
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
  Fund f;  // validates the new values here; the update merges them onto the stored fund
  MergeFund(r.fund(), paths, "fund", &f, errors);
  if (paths.contains("manager_id")) {
    RETURN_IF_ERROR(CheckManagerRef(env.store, f.manager_id, "fund.manager_id", errors));
  }
  RETURN_IF_ERROR(errors.ToStatus());
  Change change;
  change.apply = [&]() -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(f, env.store.GetFund(id));  // NOT_FOUND only once the request is valid
    FieldErrors validated_above;
    MergeFund(r.fund(), paths, "fund", &f, validated_above);
    RETURN_IF_ERROR(env.store.UpdateFund(f));
    return id;
  };
  change.explain = [&](const absl::Status& st) {
    return ExplainFundRefusal(env.store, f, /*create=*/false, st);
  };
  absl::StrAppend(&info.audit_detail, MaskDetail(r.update_mask()));
  ASSIGN_OR_RETURN(db::RequestOutcome done,
                   ApplyOnce(env.store, RequestKeyOf("FundService/UpdateFund", p, r), change,
                             info));
  return FundNow(env.store, done.resource_id, out);
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
  ASSIGN_OR_RETURN(Pager pager, PagerFor(env.store, "FundService/ListFunds", r));
  db::Page page = pager.page;
  db::FundFilter filter{.manager_id = manager, .include_inactive = r.include_inactive()};
  ASSIGN_OR_RETURN(std::vector<Fund> funds, env.store.ListFunds(filter, page));
  for (const Fund& f : funds) ToProto(f, out->add_funds());
  int64_t last = funds.empty() ? 0 : funds.back().id;
  out->set_next_page_token(pager.NextToken(last, funds.size(), page.limit));
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
  return ManagerNow(env.store, id, out);
}

absl::Status ListManagersBody(const RpcEnv& env, const Principal& p,
                              const v1::ListManagersRequest& r, CallInfo&,
                              v1::ListManagersResponse* out) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst, Role::kService}));
  ASSIGN_OR_RETURN(Pager pager, PagerFor(env.store, "FundService/ListManagers", r));
  db::Page page = pager.page;
  ASSIGN_OR_RETURN(std::vector<Manager> rows, env.store.ListManagers(page));
  std::vector<int64_t> ids;
  for (const Manager& m : rows) ids.push_back(m.id);
  // The page's contacts in two queries, not two per manager on the page.
  ASSIGN_OR_RETURN(auto contacts, env.store.GetManagerContactsOf(ids));
  for (const Manager& m : rows) {
    v1::Manager* row = out->add_managers();
    ToProto(m, row);
    ContactsToProto(contacts[m.id], row);
  }
  int64_t last = rows.empty() ? 0 : rows.back().id;
  out->set_next_page_token(pager.NextToken(last, rows.size(), page.limit));
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

}  // namespace riskcap::server
