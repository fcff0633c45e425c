// Checking the audit chain of a store through an open session (the store's own, or a backup
// target's inside its load transaction): reads the checkpoints and the sealed records and runs
// VerifyAuditChain (db/audit_verify.h) over them.
#pragma once

#include <soci/soci.h>

#include "absl/status/statusor.h"
#include "db/audit_verify.h"

namespace riskcap::db {

// `unsealed` of the result counts the records not yet sealed.
absl::StatusOr<AuditVerification> VerifyAuditInSession(soci::session& s,
                                                       const AuditVerifyOptions& options);

}  // namespace riskcap::db
