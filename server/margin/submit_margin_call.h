// SubmitMargin on gRPC's callback API: no thread is parked per call. gRPC's thread authenticates
// and checks the call (through the store's cache), hands the row to the WriteBatcher and
// returns; the committer thread finishes the call once the row's group commit is durable.
#pragma once

#include <grpcpp/grpcpp.h>

#include "riskcap/v1/margin.pb.h"
#include "server/rpc/rpc.h"
#include "server/margin/submission_intake.h"

namespace riskcap::server {

// Starts one SubmitMargin call and returns its reactor (gRPC's default unary reactor). Same
// contract as the synchronous handler: request_id is checked before anything else, a failed
// authentication is counted (Authenticator::RecordFailure), not audited, the reply comes after
// the durable commit, the audit record commits with a new submission (or on its own for a
// refused call or a replay), and a call that
// finds env.batcher's queue full is answered RESOURCE_EXHAUSTED at once. `env` and `intake` must
// outlive the call. Without a batcher (env.batcher null) the call runs synchronously.
grpc::ServerUnaryReactor* StartSubmitMargin(const RpcEnv& env, const SubmissionIntake& intake,
                                            grpc::CallbackServerContext* context,
                                            const v1::SubmitMarginRequest* request,
                                            v1::SubmissionReceipt* response);

}  // namespace riskcap::server
