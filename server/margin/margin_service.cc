// MarginService RPCs.
#include "server/margin/margin_service.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "server/rpc/convert_common.h"
#include "server/margin/convert_margin.h"
#include "server/rpc/page_token.h"
#include "server/rpc/stream_call.h"
#include "server/margin/submit_margin_call.h"

namespace riskcap::server {
namespace {

constexpr size_t kMaxReasonLength = 2000;

// One batch item's failure as the API reports it.
void ToBatchError(const absl::Status& status, v1::BatchItemError* out) {
  out->set_code(static_cast<int>(status.code()));
  out->set_message(std::string(status.message()));
  for (const FieldViolation& v : FieldViolationsOf(status)) {
    auto* fv = out->add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
}

absl::StatusOr<db::SubmissionFilter> ParseFilter(const v1::ListSubmissionsRequest& r) {
  FieldErrors errors;
  db::SubmissionFilter filter;
  if (r.fund_id() < 0) errors.Add("fund_id", "must be >= 0");
  if (r.manager_id() < 0) errors.Add("manager_id", "must be >= 0");
  if (r.fund_id() > 0) filter.fund_id = r.fund_id();
  if (r.manager_id() > 0) filter.manager_id = r.manager_id();
  if (!r.start_date().empty()) filter.from_date = ParseDateField(r.start_date(), "start_date", errors);
  if (!r.end_date().empty()) filter.to_date = ParseDateField(r.end_date(), "end_date", errors);
  if (r.state() != v1::SUBMISSION_STATE_UNSPECIFIED) {
    filter.state = FromProtoEnum<SubmissionState>(r.state(), "state", errors);
  }
  if (!errors.empty()) return errors.ToStatus();
  return filter;
}

// Restricts a MANAGER key's listing to its own manager; naming another manager's fund (or one
// that does not exist) is refused like any other access to it.
absl::Status ScopeFilter(db::Store& store, const Principal& p, db::SubmissionFilter& filter) {
  if (p.role != Role::kManager) return absl::OkStatus();
  if (filter.manager_id && filter.manager_id != p.manager_id) {
    return absl::PermissionDeniedError("a MANAGER key may list only its own manager's submissions");
  }
  if (filter.fund_id) RETURN_IF_ERROR(GetAccessibleFund(store, p, *filter.fund_id).status());
  filter.manager_id = p.manager_id;
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* MarginServiceImpl::SubmitMargin(grpc::CallbackServerContext* context,
                                                          const v1::SubmitMarginRequest* request,
                                                          v1::SubmissionReceipt* response) {
  return StartSubmitMargin(env_, intake_, context, request, response);
}

grpc::Status MarginServiceImpl::SubmitMargins(grpc::ServerContext* context,
                                              grpc::ServerReader<v1::SubmitMarginsRequest>* reader,
                                              v1::SubmitMarginsResponse* response) {
  constexpr char kMethod[] = "MarginService/SubmitMargins";
  // Authenticated and admitted under the stream caps before the first message is read.
  auto stream = OpenStreamCall(env_, *context, kMethod, {Role::kManager, Role::kService});
  if (!stream.ok()) {
    return RefuseStream(env_, *context, kMethod, CallKind::kMutating, stream.status());
  }
  return HandleRpc(
      env_, *context, kMethod, "", CallKind::kMutating,
      [&](const Principal& p, CallInfo& info) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(p, {Role::kManager, Role::kService}));
        v1::SubmitMarginsRequest chunk;
        int index = 0;
        while (stream->Read(*reader, &chunk)) {
          RETURN_IF_ERROR(RecheckPrincipal(env_, *context, p));  // a revoked key stops here
          for (const v1::SubmitMarginRequest& item : chunk.submissions()) {
            if (index >= kMaxBatch) {
              return absl::ResourceExhaustedError(absl::StrCat(
                  "a batch holds at most ", kMaxBatch, " submissions; split it (", index,
                  " were processed and are in no response: resend them, replays are safe)"));
            }
            v1::SubmitMarginResult* result = response->add_results();
            result->set_index(index++);
            // Echoed only when bounded: the index identifies the item either way.
            if (CheckRequestIdBound(item.request_id()).ok()) {
              result->set_request_id(item.request_id());
            }
            CallInfo item_info;
            // Each new submission commits with its own audit record.
            auto receipt = intake_.Submit(p, item, item_info, "MarginService/SubmitMargins");
            if (receipt.ok()) {
              *result->mutable_receipt() = *receipt;
              response->set_accepted_count(response->accepted_count() + 1);
            } else {
              ToBatchError(receipt.status(), result->mutable_error());
              response->set_rejected_count(response->rejected_count() + 1);
            }
          }
        }
        info.audit_detail = absl::StrCat("accepted=", response->accepted_count(),
                                         " rejected=", response->rejected_count());
        if (context->IsCancelled()) {  // the items before stay submitted, as receipts said
          return stream->IdleOr(absl::CancelledError("the client cancelled the batch"));
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<MarginSubmission> MarginServiceImpl::GetVisible(const Principal& p, int64_t id) {
  auto submission = env_.store.GetSubmission(id);
  if (p.role != Role::kManager) return submission;
  // For a MANAGER key, "not yours" and "does not exist" look the same.
  absl::Status hidden = absl::PermissionDeniedError(
      absl::StrCat("submission ", id, " is not accessible with this key"));
  if (absl::IsNotFound(submission.status())) return hidden;
  if (!submission.ok()) return submission.status();
  auto fund = env_.store.GetFund(submission->fund_id);
  if (!fund.ok() || fund->manager_id != p.manager_id) return hidden;
  return submission;
}

grpc::Status MarginServiceImpl::GetSubmission(grpc::ServerContext* context,
                                              const v1::GetSubmissionRequest* request,
                                              v1::MarginSubmission* response) {
  return HandleRpc(env_, *context, "MarginService/GetSubmission", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) -> absl::Status {
                     ASSIGN_OR_RETURN(MarginSubmission s, GetVisible(p, request->submission_id()));
                     ASSIGN_OR_RETURN(Fund fund, env_.store.GetFund(s.fund_id));
                     ToProto(s, fund.manager_id, response);
                     return absl::OkStatus();
                   });
}

grpc::Status MarginServiceImpl::ListSubmissions(grpc::ServerContext* context,
                                                const v1::ListSubmissionsRequest* request,
                                                v1::ListSubmissionsResponse* response) {
  return HandleRpc(
      env_, *context, "MarginService/ListSubmissions", "", CallKind::kRead,
      [&](const Principal& p, CallInfo&) -> absl::Status {
        ASSIGN_OR_RETURN(db::SubmissionFilter filter, ParseFilter(*request));
        RETURN_IF_ERROR(ScopeFilter(env_.store, p, filter));
        ASSIGN_OR_RETURN(Pager pager, PagerFor(env_.store, "MarginService/ListSubmissions", *request));
        db::Page page = pager.page;
        filter.newest_first = true;
        ASSIGN_OR_RETURN(auto rows, env_.store.ListSubmissions(filter, page));
        absl::flat_hash_map<int64_t, int64_t> manager_of;
        for (const MarginSubmission& s : rows) {
          auto [it, inserted] = manager_of.try_emplace(s.fund_id, 0);
          if (inserted) {
            ASSIGN_OR_RETURN(Fund fund, env_.store.GetFundCached(s.fund_id));
            it->second = fund.manager_id;
          }
          ToProto(s, it->second, response->add_submissions());
        }
        int64_t last = rows.empty() ? 0 : rows.back().id;
        response->set_next_page_token(pager.NextToken(last, rows.size(), page.limit));
        return absl::OkStatus();
      });
}

absl::Status MarginServiceImpl::Decide(const Principal& p, const std::string& request_id,
                                       int64_t submission_id, SubmissionState decision,
                                       const std::string& reason, CallInfo& info,
                                       v1::MarginSubmission* response) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst}));
  FieldErrors errors;
  errors.AddViolationsOf(ValidateRequestId(request_id));
  if (submission_id <= 0) errors.Add("submission_id", "must be > 0");
  if (reason.size() > kMaxReasonLength) errors.Add("reason", "must be at most 2000 characters");
  if (decision == SubmissionState::kRejected && reason.empty()) {
    errors.Add("reason", "is required when rejecting: say what the manager must fix");
  }
  RETURN_IF_ERROR(errors.ToStatus());
  info.audit_detail = absl::StrCat("submission=", submission_id);
  absl::StatusOr<MarginSubmission> decided;
  absl::Status committed = CommitAudited(env_.store, info, [&]() {
    decided = env_.store.DecideSubmission(submission_id, decision, reason, p.Name(),
                                          env_.clock.Now());
    return decided.status();
  });
  if (decided.ok() && !committed.ok()) return committed;  // the audit failed: nothing changed
  if (absl::IsFailedPrecondition(decided.status())) {
    // Retrying the same decision is idempotent: answer with the submission as it is now.
    ASSIGN_OR_RETURN(MarginSubmission current, env_.store.GetSubmission(submission_id));
    if (current.state != decision) return decided.status();
    decided = current;
  }
  if (!decided.ok()) return decided.status();
  ASSIGN_OR_RETURN(Fund fund, env_.store.GetFund(decided->fund_id));
  ToProto(*decided, fund.manager_id, response);
  return absl::OkStatus();
}

grpc::Status MarginServiceImpl::ValidateSubmission(grpc::ServerContext* context,
                                                   const v1::ValidateSubmissionRequest* request,
                                                   v1::MarginSubmission* response) {
  return HandleRpc(env_, *context, "MarginService/ValidateSubmission", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return Decide(p, request->request_id(), request->submission_id(),
                                   SubmissionState::kValidated, request->reason(), info, response);
                   });
}

grpc::Status MarginServiceImpl::RejectSubmission(grpc::ServerContext* context,
                                                 const v1::RejectSubmissionRequest* request,
                                                 v1::MarginSubmission* response) {
  return HandleRpc(env_, *context, "MarginService/RejectSubmission", request->request_id(),
                   CallKind::kMutating, [&](const Principal& p, CallInfo& info) {
                     return Decide(p, request->request_id(), request->submission_id(),
                                   SubmissionState::kRejected, request->reason(), info, response);
                   });
}

}  // namespace riskcap::server
