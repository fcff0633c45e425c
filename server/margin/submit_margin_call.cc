// SubmitMargin's callback-API path.
#include "server/margin/submit_margin_call.h"

#include <chrono>
#include <memory>

namespace riskcap::server {
namespace {

constexpr char kMethod[] = "MarginService/SubmitMargin";

// One call's state, shared by gRPC's thread and the committer's completion.
struct SubmitCall {
  const RpcEnv& env;
  const SubmissionIntake& intake;
  grpc::ServerUnaryReactor* reactor;
  v1::SubmissionReceipt* response;
  std::string request_id;
  CallStart start;
  std::string principal = "anonymous";
  CallInfo info;
  PreparedSubmission prepared;

  // Answers the call, counted in the metrics (RecordCall).
  void Finish(grpc::Status reply) { reactor->Finish(RecordCall(env, kMethod, start, reply)); }
};

// Commits the call's own audit record, then replies with `outcome`. Refused with
// RESOURCE_EXHAUSTED (and no record) when the batcher's queue is full.
void AuditThenFinish(std::shared_ptr<SubmitCall> call, absl::Status outcome) {
  AuditRecord record = CallAuditRecord(call->env, call->principal, kMethod, call->request_id,
                                       outcome, call->info.audit_detail);
  absl::Status queued = call->env.batcher->AppendAuditAsync(
      record, [call, outcome](absl::StatusOr<int64_t> written) {
        if (!written.ok()) LogAuditFailure(kMethod, call->request_id, written.status());
        call->Finish(ReplyStatus(kMethod, outcome));
      });
  if (!queued.ok()) call->Finish(ReplyStatus(kMethod, queued));
}

// On the committer thread, once the submission's batch has committed (or failed).
void OnCommitted(std::shared_ptr<SubmitCall> call, absl::StatusOr<int64_t> id) {
  if (id.ok()) {
    *call->response = SubmissionIntake::Accepted(call->prepared, *id, call->info);
    call->Finish(grpc::Status::OK);
    return;
  }
  absl::Status outcome = id.status();
  if (absl::IsAlreadyExists(outcome)) {
    // A used request_id (a retry, or a concurrent duplicate): one indexed read of the original,
    // on this thread — rare enough not to need a pool of its own.
    auto replay = call->intake.Replay(call->prepared);
    if (replay.ok()) *call->response = *replay;
    outcome = replay.status();
  }
  AuditThenFinish(std::move(call), outcome);
}

}  // namespace

grpc::ServerUnaryReactor* StartSubmitMargin(const RpcEnv& env, const SubmissionIntake& intake,
                                            grpc::CallbackServerContext* context,
                                            const v1::SubmitMarginRequest* request,
                                            v1::SubmissionReceipt* response) {
  const CallStart start = std::chrono::steady_clock::now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // First, as HandleRpc does: a malformed or unbounded id is refused before anything is written.
  if (absl::Status bad = CheckRequestIdBound(request->request_id()); !bad.ok()) {
    reactor->Finish(RecordCall(env, kMethod, start, ReplyStatus(kMethod, bad)));
    return reactor;
  }
  if (env.batcher == nullptr) {
    reactor->Finish(HandleRpc(env, *context, kMethod, request->request_id(), CallKind::kMutating,
                              [&](const Principal& p, CallInfo& info) -> absl::Status {
                                auto receipt = intake.Submit(p, *request, info, kMethod);
                                if (receipt.ok()) *response = *receipt;
                                return receipt.status();
                              }));
    return reactor;
  }
  auto call = std::make_shared<SubmitCall>(
      SubmitCall{env, intake, reactor, response, request->request_id(), start});
  auto principal = env.auth.Authenticate(*context);
  if (!principal.ok()) {
    // One upsert of the peer's count for this minute, never an audit row; before Finish, which
    // may free the context.
    if (absl::IsUnauthenticated(principal.status())) {
      RecordAuthFailure(env, *context, kMethod, principal.status());
    }
    call->Finish(ReplyStatus(kMethod, principal.status()));
    return reactor;
  }
  call->principal = principal->Name();
  auto prepared = intake.Prepare(*principal, *request, call->info, kMethod);
  if (!prepared.ok()) {
    AuditThenFinish(std::move(call), prepared.status());
    return reactor;
  }
  call->prepared = std::move(*prepared);
  absl::Status queued = env.batcher->InsertSubmissionAsync(
      call->prepared.submission, call->prepared.audit,
      [call](absl::StatusOr<int64_t> id) { OnCommitted(call, std::move(id)); });
  if (!queued.ok()) call->Finish(ReplyStatus(kMethod, queued));
  return reactor;
}

}  // namespace riskcap::server
