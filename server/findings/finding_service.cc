// FindingService RPCs. Acknowledge and resolve apply their change through ApplyOnce
// (server/rpc/request_log.h), at most once per request id; a retry returns the finding as it is now.
#include "server/findings/finding_service.h"

#include <limits>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "server/funds/convert_contacts.h"
#include "server/findings/convert_finding.h"
#include "server/funds/convert_fund.h"
#include "server/findings/finding_notifier.h"
#include "server/rpc/page_token.h"
#include "server/rpc/request_log.h"
#include "server/rpc/stream_call.h"

namespace riskcap::server {
namespace {

constexpr db::Page kEverything{0, std::numeric_limits<int>::max()};
constexpr int kWatchBatch = 100;
constexpr size_t kMaxResolution = 2000;

// The funds a principal may see findings of: nullopt = all (non-MANAGER roles).
using FundScope = std::optional<absl::flat_hash_set<int64_t>>;

absl::StatusOr<FundScope> ScopeOf(const RpcEnv& env, const Principal& p, int64_t fund_id) {
  if (p.role != Role::kManager) return FundScope();
  // A fund filter must name one of the key's funds (PERMISSION_DENIED otherwise).
  if (fund_id > 0) RETURN_IF_ERROR(GetAccessibleFund(env.store, p, fund_id).status());
  ASSIGN_OR_RETURN(auto funds, env.store.ListFunds(p.manager_id, kEverything));
  absl::flat_hash_set<int64_t> own;
  for (const Fund& f : funds) own.insert(f.id);
  return FundScope(std::move(own));
}

bool InScope(const FundScope& scope, const Finding& f) {
  return !scope || (f.fund_id && scope->contains(*f.fund_id));
}

// A MANAGER key sees only findings on its own manager's funds; a fund filter must name one of
// them (PERMISSION_DENIED otherwise).
absl::Status ScopeFindings(const RpcEnv& env, const Principal& p, int64_t fund_id,
                           db::FindingFilter& filter) {
  if (p.role != Role::kManager) return absl::OkStatus();
  if (fund_id > 0) RETURN_IF_ERROR(GetAccessibleFund(env.store, p, fund_id).status());
  filter.manager_id = p.manager_id.value_or(0);
  return absl::OkStatus();
}

absl::Status ListBody(const RpcEnv& env, const Principal& p, const v1::ListFindingsRequest& r,
                      v1::ListFindingsResponse* out) {
  FieldErrors errors;
  db::FindingFilter filter = FindingFilterFromProto(r, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  ASSIGN_OR_RETURN(Pager pager, PagerFor(env.store, "FindingService/ListFindings", r));
  db::Page page = pager.page;
  RETURN_IF_ERROR(ScopeFindings(env, p, r.fund_id(), filter));
  filter.newest_first = true;
  ASSIGN_OR_RETURN(auto rows, env.store.ListFindings(filter, page));
  for (const Finding& f : rows) ToProto(f, out->add_findings());
  out->set_next_page_token(pager.NextToken(rows.empty() ? 0 : rows.back().id, rows.size(), page.limit));
  return absl::OkStatus();
}

// Validation shared by acknowledge and resolve.
absl::Status CheckTransition(const Principal& p, const std::string& request_id, int64_t finding_id,
                             FieldErrors& errors) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst}));
  errors.AddViolationsOf(ValidateRequestId(request_id));
  if (finding_id <= 0) errors.Add("finding_id", "is required (a finding id > 0)");
  return absl::OkStatus();
}

absl::Status Transition(const RpcEnv& env, const db::RequestKey& key,
                        int64_t finding_id, const std::function<absl::Status()>& apply,
                        CallInfo& info, v1::Finding* out) {
  Change change;
  change.apply = [&]() -> absl::StatusOr<int64_t> {
    RETURN_IF_ERROR(apply());
    ASSIGN_OR_RETURN(Finding changed, env.store.GetFinding(finding_id));
    if (changed.fund_id) absl::StrAppend(&info.audit_detail, " fund=", *changed.fund_id);
    return finding_id;
  };
  ASSIGN_OR_RETURN(db::RequestOutcome done, ApplyOnce(env.store, key, change, info));
  ASSIGN_OR_RETURN(Finding now, env.store.GetFinding(done.resource_id));
  if (done.replayed && now.fund_id) absl::StrAppend(&info.audit_detail, " fund=", *now.fund_id);
  ToProto(now, out);
  return absl::OkStatus();
}

absl::Status AcknowledgeBody(const RpcEnv& env, const Principal& p,
                             const v1::AcknowledgeFindingRequest& r, CallInfo& info,
                             v1::Finding* out) {
  info.audit_detail = absl::StrCat("finding=", r.finding_id());
  FieldErrors errors;
  RETURN_IF_ERROR(CheckTransition(p, r.request_id(), r.finding_id(), errors));
  RETURN_IF_ERROR(errors.ToStatus());
  auto apply = [&]() {
    return env.store.AcknowledgeFinding(r.finding_id(), p.Name(), env.clock.Now()).status();
  };
  return Transition(env, RequestKeyOf("FindingService/AcknowledgeFinding", p, r),
                    r.finding_id(), apply, info, out);
}

absl::Status ResolveBody(const RpcEnv& env, const Principal& p, const v1::ResolveFindingRequest& r,
                         CallInfo& info, v1::Finding* out) {
  info.audit_detail = absl::StrCat("finding=", r.finding_id());
  FieldErrors errors;
  RETURN_IF_ERROR(CheckTransition(p, r.request_id(), r.finding_id(), errors));
  if (r.resolution().empty() || r.resolution().size() > kMaxResolution) {
    errors.Add("resolution", "is required, 1..2000 characters");
  }
  RETURN_IF_ERROR(errors.ToStatus());
  auto apply = [&]() {
    return env.store.ResolveFinding(r.finding_id(), p.Name(), r.resolution(), env.clock.Now())
        .status();
  };
  return Transition(env, RequestKeyOf("FindingService/ResolveFinding", p, r), r.finding_id(),
                    apply, info, out);
}

bool Stopped(const RpcEnv& env, const grpc::ServerContext& context) {
  return context.IsCancelled() || (env.findings != nullptr && env.findings->is_shutdown());
}

// Each round of a watch: the key must still be valid, and a MANAGER's funds are read again
// (at most every db::Store::kLookupTtl), so a revoked key's stream ends with UNAUTHENTICATED and a fund
// its manager lost stops being delivered within that bound.
absl::Status RecheckWatch(const RpcEnv& env, const grpc::ServerContext& context, const Principal& p,
                          int64_t fund_id, FundScope& scope, absl::Time& scope_read) {
  RETURN_IF_ERROR(RecheckPrincipal(env, context, p));
  const absl::Time now = absl::Now();
  if (p.role != Role::kManager || now - scope_read < db::Store::kLookupTtl) return absl::OkStatus();
  ASSIGN_OR_RETURN(scope, ScopeOf(env, p, fund_id));
  scope_read = now;
  return absl::OkStatus();
}

// Streams matching findings with id > after until the client cancels or the server stops.
absl::Status WatchBody(const RpcEnv& env, absl::Duration poll, const Principal& p,
                       const v1::WatchFindingsRequest& r, grpc::ServerContext& context,
                       grpc::ServerWriter<v1::Finding>& writer) {
  if (r.fund_id() < 0) return FieldError("fund_id", "must be >= 0 (0 = any fund)");
  if (r.after_finding_id() < 0) return FieldError("after_finding_id", "must be >= 0");
  ASSIGN_OR_RETURN(FundScope scope, ScopeOf(env, p, r.fund_id()));
  absl::Time scope_read = absl::Now();
  int64_t last = r.after_finding_id();
  if (last == 0) {
    ASSIGN_OR_RETURN(last, env.store.MaxFindingId());
  }
  db::FindingFilter filter;
  if (r.fund_id() > 0) filter.fund_id = r.fund_id();
  uint64_t seen = env.findings != nullptr ? env.findings->sequence() : 0;
  // From here on nothing is missed: a client may wait for the metadata before relying on that.
  writer.SendInitialMetadata();
  while (!Stopped(env, context)) {
    RETURN_IF_ERROR(RecheckWatch(env, context, p, r.fund_id(), scope, scope_read));
    ASSIGN_OR_RETURN(std::vector<Finding> rows,
                     env.store.ListFindings(filter, db::Page{last, kWatchBatch}));
    for (const Finding& f : rows) {
      last = f.id;
      if (!InScope(scope, f) || !WatchMatches(r, f)) continue;
      v1::Finding message;
      ToProto(f, &message);
      if (!writer.Write(message)) return absl::OkStatus();  // the client went away
    }
    if (rows.size() == static_cast<size_t>(kWatchBatch)) continue;
    if (env.findings != nullptr) {
      seen = env.findings->WaitForChange(seen, poll);
    } else {
      absl::SleepFor(poll);
    }
  }
  if (context.IsCancelled()) return absl::CancelledError("the client cancelled the stream");
  return absl::UnavailableError("the server is shutting down; reconnect with after_finding_id");
}

absl::Status ListRemindersBody(const RpcEnv& env, const Principal& p,
                               const v1::ListRemindersRequest& r,
                               v1::ListRemindersResponse* out) {
  if (r.manager_id() < 0) return FieldError("manager_id", "must be >= 0 (0 = any manager)");
  ASSIGN_OR_RETURN(Pager pager, PagerFor(env.store, "FindingService/ListReminders", r));
  db::Page page = pager.page;
  std::optional<int64_t> manager;
  if (r.manager_id() > 0) manager = r.manager_id();
  if (p.role == Role::kManager) {
    if (manager && manager != p.manager_id) {
      return absl::PermissionDeniedError("a MANAGER key lists only its own manager's reminders");
    }
    manager = p.manager_id;
  }
  ASSIGN_OR_RETURN(std::vector<Reminder> rows, env.store.ListReminders(manager, page));
  std::vector<int64_t> ids;
  for (const Reminder& m : rows) ids.push_back(m.id);
  ASSIGN_OR_RETURN(std::vector<Delivery> deliveries,
                   env.store.ListDeliveries(DeliverySource::kReminder, ids));
  for (const Reminder& m : rows) {
    v1::Reminder* reminder = out->add_reminders();
    ToProto(m, reminder);
    for (const Delivery& d : deliveries) {
      if (d.source_id == m.id) ToProto(d, reminder->add_deliveries());
    }
  }
  out->set_next_page_token(pager.NextToken(rows.empty() ? 0 : rows.back().id, rows.size(), page.limit));
  return absl::OkStatus();
}

}  // namespace

grpc::Status FindingServiceImpl::ListFindings(grpc::ServerContext* context,
                                              const v1::ListFindingsRequest* request,
                                              v1::ListFindingsResponse* response) {
  return HandleRpc(env_, *context, "FindingService/ListFindings", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) { return ListBody(env_, p, *request, response); });
}

grpc::Status FindingServiceImpl::AcknowledgeFinding(grpc::ServerContext* context,
                                                    const v1::AcknowledgeFindingRequest* request,
                                                    v1::Finding* response) {
  return HandleRpc(env_, *context, "FindingService/AcknowledgeFinding", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return AcknowledgeBody(env_, p, *request, info, response);
                   });
}

grpc::Status FindingServiceImpl::ResolveFinding(grpc::ServerContext* context,
                                                const v1::ResolveFindingRequest* request,
                                                v1::Finding* response) {
  return HandleRpc(env_, *context, "FindingService/ResolveFinding", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return ResolveBody(env_, p, *request, info, response);
                   });
}

grpc::Status FindingServiceImpl::WatchFindings(grpc::ServerContext* context,
                                               const v1::WatchFindingsRequest* request,
                                               grpc::ServerWriter<v1::Finding>* writer) {
  constexpr char kMethod[] = "FindingService/WatchFindings";
  // Authenticated and admitted under the stream caps before the store is read.
  auto stream = OpenStreamCall(env_, *context, kMethod,
                               {Role::kManager, Role::kAnalyst, Role::kService});
  if (!stream.ok()) return RefuseStream(env_, *context, kMethod, CallKind::kRead, stream.status());
  return HandleRpc(env_, *context, kMethod, "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) {
                     return WatchBody(env_, poll_interval_, p, *request, *context, *writer);
                   });
}

grpc::Status FindingServiceImpl::ListReminders(grpc::ServerContext* context,
                                               const v1::ListRemindersRequest* request,
                                               v1::ListRemindersResponse* response) {
  return HandleRpc(env_, *context, "FindingService/ListReminders", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) {
                     return ListRemindersBody(env_, p, *request, response);
                   });
}

}  // namespace riskcap::server
