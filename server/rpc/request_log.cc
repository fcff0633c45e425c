// Request log keys and at-most-once application of registry and admin calls.
#include "server/rpc/request_log.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/str_cat.h"
#include "db/sha256.h"
#include "server/margin/submission_intake.h"

namespace riskcap::server {

std::string RequestContentHash(const google::protobuf::MessageLite& content) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    // Fixes the order of map entries, the one thing protobuf otherwise leaves open.
    coded.SetSerializationDeterministic(true);
    // Cannot fail: proto3 has no required fields and a string stream no I/O errors.
    content.SerializePartialToCodedStream(&coded);
  }  // the streams flush into `bytes` when destroyed
  return db::Sha256Hex(bytes);
}

db::RequestKey MakeRequestKey(std::string_view method, const Principal& principal,
                              const std::string& request_id,
                              const google::protobuf::MessageLite& content) {
  return db::RequestKey{std::string(method), IdempotencyScope(principal), request_id,
                        RequestContentHash(content)};
}

absl::StatusOr<db::RequestOutcome> ApplyOnce(db::Store& store, const db::RequestKey& key,
                                             const Change& change, CallInfo& info) {
  absl::Status apply_failure;
  // A new change commits with the call's audit record. A replay changes nothing: HandleRpc
  // audits it afterwards with the call's real outcome (e.g. CreateApiKey's ALREADY_EXISTS).
  auto audit = [&](const db::RequestOutcome& done) -> absl::Status {
    if (done.replayed || !info.append_ok_audit) return absl::OkStatus();
    return info.append_ok_audit();
  };
  absl::StatusOr<db::RequestOutcome> outcome = db::RunIdempotent(
      store, key,
      [&]() -> absl::StatusOr<int64_t> {
        absl::StatusOr<int64_t> id = change.apply();
        apply_failure = id.status();
        return id;
      },
      audit);
  if (!outcome.ok()) {
    // Only apply's own failures are explained: the store's (a reused request id) already are.
    if (!apply_failure.ok() && change.explain) return change.explain(apply_failure);
    return outcome.status();
  }
  if (outcome->replayed) absl::StrAppend(&info.audit_detail, " replayed");
  else if (info.append_ok_audit) info.audited = true;
  return outcome;
}

}  // namespace riskcap::server
