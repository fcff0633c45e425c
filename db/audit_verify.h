// Checking the audit chain: recomputes every sealed record's hash in position order and checks
// every checkpoint, reporting the first place where the log stops being what was sealed and why.
// Pure: fed rows by the store (db/store_audit_chain.cc) or a test. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/audit.h"
#include "db/audit_chain.h"

namespace riskcap::db {

// Why a chain does not verify. Each has its own exit code in the CLIs (docs/cli.md).
enum class AuditBreak {
  kNone,
  kRowChanged,          // the record at the position is not the one sealed there
  kRowMissing,          // no record holds the position, yet a later record or checkpoint does
  kRowInserted,         // a record was put in at the position; the one sealed there follows it
  kRowMoved,            // the records at the position and the next were swapped
  kSignatureInvalid,    // a checkpoint's signature (or key) is not valid
  kCheckpointMismatch,  // the chain's hash at a checkpoint's position is not the signed one
  kHeadNotExtended,     // the log does not extend the checkpoint given with --against
};

// "row changed", "row missing", ...; "ok" for kNone.
const char* AuditBreakName(AuditBreak reason);

struct AuditVerification {
  AuditBreak reason = AuditBreak::kNone;  // kNone: the chain verifies
  int64_t records = 0;      // sealed records checked (up to the break)
  int64_t position = 0;     // where it breaks (0 when it verifies)
  std::string detail;       // one sentence on the break
  int64_t checkpoints = 0;  // checkpoints whose signature was checked
  int64_t unsealed = 0;     // records not yet sealed (not part of the check)
  bool ok() const { return reason == AuditBreak::kNone; }
};

// A sealed audit row as stored.
struct SealedAuditRow {
  int64_t position = 0;
  std::string hash;
  AuditRecord record;
};

// The next sealed row in (position, id) order, or nullopt at the end.
using SealedRowSource = std::function<absl::StatusOr<std::optional<SealedAuditRow>>()>;

struct AuditVerifyOptions {
  // When set, every checkpoint (and `against`) must carry this public key (64 hex digits).
  std::string trusted_public_key;
  // A checkpoint kept outside the store: its signature must be valid and the chain must hold it.
  std::optional<AuditCheckpoint> against;
};

// Checks the signatures, then walks `rows` once, keeping two rows of look-ahead.
absl::StatusOr<AuditVerification> VerifyAuditChain(const SealedRowSource& rows,
                                                   const std::vector<AuditCheckpoint>& checkpoints,
                                                   const AuditVerifyOptions& options);

}  // namespace riskcap::db
