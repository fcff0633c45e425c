// What every RPC handler shares: its dependencies (RpcEnv) and the one wrapper (HandleRpc) that
// authenticates, runs the body, audits mutating calls and maps the result to a grpc::Status.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "core/clock.h"
#include "core/rules/rules_config.h"
#include "db/store.h"
#include "server/rpc/auth.h"
#include "server/rpc/write_batcher.h"

namespace riskcap::server {
namespace jobs {
class JobRunner;
}

class FindingNotifier;
class StreamLimits;
namespace metrics {
class ServerMetrics;
}

// riskcapd's version, as GetServerInfo and riskcap_build_info report it.
inline constexpr char kServerVersion[] = "0.1.0";
class AuditSealer;

// Dependencies injected into every service. Not owned; must outlive the services.
struct RpcEnv {
  db::Store& store;
  const Clock& clock;
  const Authenticator& auth;
  std::string version = kServerVersion;
  // Group commit for submissions and audit records; when null they are written one by one.
  WriteBatcher* batcher = nullptr;
  // The administrator's policy: periodicities, caps, thresholds.
  rules::RulesConfig rules;
  // Executes job runs (JobService); when null, JobService cannot start runs.
  jobs::JobRunner* jobs = nullptr;
  // Wakes WatchFindings streams when a job raises a finding; when null they only poll.
  FindingNotifier* findings = nullptr;
  // Caps on open streams and their idle time (server/rpc/stream_limits.h); none when null.
  StreamLimits* streams = nullptr;
  // Counts calls, their codes and durations, auth failures and streams (server/metrics/); none
  // when null, as when the metrics endpoint is off.
  metrics::ServerMetrics* metrics = nullptr;
  // Seals the audit chain and signs its checkpoints (AdminService.GetAuditHead and
  // VerifyAuditLog); when null they seal through the store and have no key.
  AuditSealer* audit_sealer = nullptr;
};

enum class CallKind { kRead, kMutating };

// Per-call facts a body may add to the audit record.
struct CallInfo {
  std::string audit_detail;  // e.g. "fund=12 submission=345"; cut to kMaxAuditDetail bytes
  // Set by a body that already committed the call's audit record together with its change (the
  // group-commit path of SubmitMargin, ApplyOnce, CommitAudited), so HandleRpc does not write a
  // second one.
  bool audited = false;
  // Set by HandleRpc for a mutating call: appends the call's audit record, outcome OK, with the
  // audit_detail as it is then. A body calls it INSIDE the transaction of its change, so both
  // commit or neither does, and sets `audited` once that transaction committed. Empty when the
  // call is not audited (e.g. the items of a batch).
  std::function<absl::Status()> append_ok_audit;
};

// Runs `change` and then info.append_ok_audit (when set) in one store transaction, and sets
// info.audited once it committed. `change`'s store calls join the transaction; a failure of
// either rolls both back and is returned (HandleRpc then audits the failure on its own).
absl::Status CommitAudited(db::Store& store, CallInfo& info,
                           const std::function<absl::Status()>& change);

using RpcBody = std::function<absl::Status(const Principal&, CallInfo&)>;

// Runs one RPC, in this order:
//  1. kMutating: `request_id` must pass CheckRequestIdBound, else
//     INVALID_ARGUMENT naming request_id, before authentication and with nothing written.
//  2. Authenticates. A failure is counted per peer, minute and method (Authenticator::
//     RecordFailure), never as an audit record, and answered UNAUTHENTICATED.
//  3. Runs `body`; a kMutating call then gets one audit record (principal, method, request id,
//     outcome, detail): the body's own, committed with its change (CallInfo::append_ok_audit),
//     or else one appended here with the outcome, e.g. for a refused call that changed nothing.
// `method` is the short RPC name, e.g. "MarginService/SubmitMargin".
grpc::Status HandleRpc(const RpcEnv& env, const grpc::ServerContextBase& context,
                       std::string_view method, std::string_view request_id, CallKind kind,
                       const RpcBody& body);

// The pieces of HandleRpc, for a handler that cannot run inside it (SubmitMargin on the callback
// API, server/margin/submit_margin_call.h). The audit record HandleRpc writes for a mutating call:
AuditRecord CallAuditRecord(const RpcEnv& env, std::string_view principal, std::string_view method,
                            std::string_view request_id, const absl::Status& outcome,
                            const std::string& detail);
// Logs a lost audit record: the call's own outcome stands, but an operator must know.
void LogAuditFailure(std::string_view method, std::string_view request_id,
                     const absl::Status& error);
// The call's outcome at the wire; an INTERNAL one is logged first.
grpc::Status ReplyStatus(std::string_view method, const absl::Status& outcome);

// When a call started, for RecordCall.
using CallStart = std::chrono::steady_clock::time_point;
// Counts a finished call in env.metrics (when set): method, status code and the time since
// `start`; returns `reply`. HandleRpc does it for every call it runs (streams included);
// SubmitMargin's callback path, which finishes outside it, calls it itself.
grpc::Status RecordCall(const RpcEnv& env, std::string_view method, CallStart start,
                        grpc::Status reply);
// Counts a failed authentication: Authenticator::RecordFailure, and env.metrics when set.
void RecordAuthFailure(const RpcEnv& env, const grpc::ServerContextBase& context,
                       std::string_view method, const absl::Status& failure);

// INVALID_ARGUMENT naming `request_id` unless it is 1..64 characters of [A-Za-z0-9._:-]: the rule
// each mutating body applies, reported with the request's other field errors.
absl::Status ValidateRequestId(std::string_view request_id);
// INVALID_ARGUMENT naming `request_id` when it is longer than kMaxAuditRequestId (128) bytes or
// holds a byte outside printable ASCII; OK when empty. What HandleRpc (and SubmitMargin's callback
// path) checks before authentication and before anything is written, so that no id that could
// not be stored as it is ever reaches the audit log or another table.
absl::Status CheckRequestIdBound(std::string_view request_id);

// `detail` as it is stored: bytes outside printable ASCII (and '\\') C-escaped, and when longer
// than kMaxAuditDetail bytes, cut to fit and ending in "...[cut; N bytes in all]".
std::string BoundedAuditDetail(std::string_view detail);

}  // namespace riskcap::server
