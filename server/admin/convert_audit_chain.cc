// The audit chain's proto mapping and checkpoint files.
#include "server/admin/convert_audit_chain.h"

#include <fstream>
#include <sstream>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "core/field_errors.h"
#include "server/rpc/convert_common.h"

namespace riskcap::server {
namespace {

v1::AuditBreakReason ReasonToProto(db::AuditBreak reason) {
  switch (reason) {
    case db::AuditBreak::kNone: return v1::AUDIT_BREAK_REASON_UNSPECIFIED;
    case db::AuditBreak::kRowChanged: return v1::AUDIT_BREAK_REASON_ROW_CHANGED;
    case db::AuditBreak::kRowMissing: return v1::AUDIT_BREAK_REASON_ROW_MISSING;
    case db::AuditBreak::kRowInserted: return v1::AUDIT_BREAK_REASON_ROW_INSERTED;
    case db::AuditBreak::kRowMoved: return v1::AUDIT_BREAK_REASON_ROWS_REORDERED;
    case db::AuditBreak::kSignatureInvalid:
      return v1::AUDIT_BREAK_REASON_CHECKPOINT_SIGNATURE_INVALID;
    case db::AuditBreak::kCheckpointMismatch: return v1::AUDIT_BREAK_REASON_CHECKPOINT_MISMATCH;
    case db::AuditBreak::kHeadNotExtended: return v1::AUDIT_BREAK_REASON_HEAD_NOT_EXTENDED;
  }
  return v1::AUDIT_BREAK_REASON_UNSPECIFIED;
}

}  // namespace

void ToProto(const db::AuditCheckpoint& c, v1::AuditCheckpoint* out) {
  out->set_position(c.position);
  out->set_hash(c.head_hash);
  ToProtoTime(absl::FromUnixMicros(c.at_us), out->mutable_time());
  out->set_public_key(c.public_key);
  out->set_signature(c.signature);
}

absl::StatusOr<db::AuditCheckpoint> FromProto(const v1::AuditCheckpoint& c,
                                              const std::string& field) {
  FieldErrors errors;
  if (c.position() < 0) errors.Add(field + ".position", "must be >= 0");
  if (!db::IsLowerHex(c.hash(), 64)) errors.Add(field + ".hash", "must be 64 lowercase hex digits");
  if (!db::IsLowerHex(c.public_key(), 64)) {
    errors.Add(field + ".public_key", "must be 64 lowercase hex digits");
  }
  if (!db::IsLowerHex(c.signature(), 128)) {
    errors.Add(field + ".signature", "must be 128 lowercase hex digits");
  }
  if (!c.has_time()) errors.Add(field + ".time", "is required");
  if (!errors.empty()) return errors.ToStatus();
  db::AuditCheckpoint out;
  out.position = c.position();
  out.head_hash = c.hash();
  out.at_us = absl::ToUnixMicros(FromProtoTime(c.time()));
  out.public_key = c.public_key();
  out.signature = c.signature();
  return out;
}

void ToProto(const db::AuditVerification& v, v1::AuditVerification* out) {
  out->set_ok(v.ok());
  out->set_records(v.records);
  out->set_position(v.position);
  out->set_reason(ReasonToProto(v.reason));
  out->set_detail(v.detail);
  out->set_checkpoints(v.checkpoints);
  out->set_unsealed(v.unsealed);
}

absl::StatusOr<db::AuditCheckpoint> ReadCheckpointFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read checkpoint file ", path));
  std::stringstream text;
  text << in.rdbuf();
  v1::AuditCheckpoint proto;
  auto parsed = google::protobuf::util::JsonStringToMessage(text.str(), &proto);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint file ", path,
                                                   " is not a checkpoint (JSON of `riskcap "
                                                   "audit head`): ", parsed.ToString()));
  }
  auto checkpoint = FromProto(proto, "checkpoint file " + path);
  if (!checkpoint.ok()) return absl::InvalidArgumentError(checkpoint.status().message());
  return checkpoint;
}

}  // namespace riskcap::server
