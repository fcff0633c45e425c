// FindingService.RetryDelivery: requeues a FAILED delivery, at most once per request id
// (ApplyOnce), with its audit record in the same transaction.
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "core/status_macros.h"
#include "server/funds/convert_contacts.h"
#include "server/rpc/convert_common.h"
#include "server/findings/finding_service.h"
#include "server/rpc/request_log.h"

namespace riskcap::server {
namespace {

absl::Status RetryDeliveryBody(const RpcEnv& env, const Principal& p,
                               const v1::RetryDeliveryRequest& r, CallInfo& info,
                               v1::Delivery* out) {
  info.audit_detail = absl::StrCat("delivery=", r.delivery_id());
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst}));
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(r.request_id()));
  if (r.delivery_id() <= 0) errors.Add("delivery_id", "is required (a delivery id > 0)");
  RETURN_IF_ERROR(errors.ToStatus());
  Change change;
  change.apply = [&]() -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(Delivery d, env.store.RequeueDelivery(r.delivery_id(), env.clock.Now()));
    absl::StrAppend(&info.audit_detail, " channel=", AbslView(EnumName(d.channel)),
                    " reminder=", d.source_id);
    return d.id;
  };
  ASSIGN_OR_RETURN(db::RequestOutcome done,
                   ApplyOnce(env.store, RequestKeyOf("FindingService/RetryDelivery", p, r),
                             change, info));
  ASSIGN_OR_RETURN(Delivery now, env.store.GetDelivery(done.resource_id));
  ToProto(now, out);
  return absl::OkStatus();
}

}  // namespace

grpc::Status FindingServiceImpl::RetryDelivery(grpc::ServerContext* context,
                                               const v1::RetryDeliveryRequest* request,
                                               v1::Delivery* response) {
  return HandleRpc(env_, *context, "FindingService/RetryDelivery", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return RetryDeliveryBody(env_, p, *request, info, response);
                   });
}

}  // namespace riskcap::server
