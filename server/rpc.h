// What every RPC handler shares: its dependencies (RpcEnv) and the one wrapper (HandleRpc) that
// authenticates, runs the body, audits mutating calls and maps the result to a grpc::Status.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "core/clock.h"
#include "core/rules/rules_config.h"
#include "db/store.h"
#include "server/auth.h"
#include "server/write_batcher.h"

namespace riskcap::server {
namespace jobs {
class JobRunner;
}

class FindingNotifier;
class StreamLimits;

// Dependencies injected into every service. Not owned; must outlive the services.
struct RpcEnv {
  db::Store& store;
  const Clock& clock;
  const Authenticator& auth;
  std::string version = "0.1.0";
  // Group commit for submissions and audit records; when null they are written one by one.
  WriteBatcher* batcher = nullptr;
  // The administrator's policy: periodicities, caps, thresholds.
  rules::RulesConfig rules;
  // Executes job runs (JobService); when null, JobService cannot start runs.
  jobs::JobRunner* jobs = nullptr;
  // Wakes WatchFindings streams when a job raises a finding; when null they only poll.
  FindingNotifier* findings = nullptr;
  // Caps on open streams and their idle time (server/stream_limits.h); none when null.
  StreamLimits* streams = nullptr;
};

enum class CallKind { kRead, kMutating };

// Per-call facts a body may add to the audit record.
struct CallInfo {
  std::string audit_detail;  // e.g. "fund=12 submission=345"
  // Set by a body that already committed the call's audit record together with its change (the
  // group-commit path of SubmitMargin), so HandleRpc does not write a second one.
  bool audited = false;
};

using RpcBody = std::function<absl::Status(const Principal&, CallInfo&)>;

// Authenticates the call, runs `body`, and for kMutating calls appends an audit record
// (principal, method, request id, outcome, detail) whatever the outcome — also for calls that
// fail authentication. `method` is the short RPC name, e.g. "MarginService/SubmitMargin".
grpc::Status HandleRpc(const RpcEnv& env, const grpc::ServerContextBase& context,
                       std::string_view method, std::string_view request_id, CallKind kind,
                       const RpcBody& body);

// The pieces of HandleRpc, for a handler that cannot run inside it (SubmitMargin on the callback
// API, server/submit_margin_call.h). The audit record HandleRpc writes for a mutating call:
AuditRecord CallAuditRecord(const RpcEnv& env, std::string_view principal, std::string_view method,
                            std::string_view request_id, const absl::Status& outcome,
                            const std::string& detail);
// Logs a lost audit record: the call's own outcome stands, but an operator must know.
void LogAuditFailure(std::string_view method, std::string_view request_id,
                     const absl::Status& error);
// The call's outcome at the wire; an INTERNAL one is logged first.
grpc::Status ReplyStatus(std::string_view method, const absl::Status& outcome);

// INVALID_ARGUMENT naming `request_id` unless it is 1..64 characters of [A-Za-z0-9._:-].
absl::Status ValidateRequestId(std::string_view request_id);

}  // namespace riskcap::server
