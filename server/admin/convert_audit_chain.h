// Proto <-> db mapping of the audit chain's checkpoints and verification results, and the
// checkpoint file an auditor keeps (`riskcap audit head > HEAD.json`, read by --against).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "db/audit_verify.h"
#include "riskcap/v1/admin.pb.h"

namespace riskcap::server {

void ToProto(const db::AuditCheckpoint& c, v1::AuditCheckpoint* out);
// InvalidArgument naming the field (under `field`, e.g. "against") when the hash, key or
// signature is not lowercase hex of its size or the position is negative.
absl::StatusOr<db::AuditCheckpoint> FromProto(const v1::AuditCheckpoint& c,
                                              const std::string& field);
void ToProto(const db::AuditVerification& v, v1::AuditVerification* out);

// The checkpoint in `path`: the protobuf JSON of v1::AuditCheckpoint (what `riskcap audit head`
// prints). InvalidArgument naming the file when it cannot be read or parsed.
absl::StatusOr<db::AuditCheckpoint> ReadCheckpointFile(const std::string& path);

}  // namespace riskcap::server
