// The audit log's hash chain and its signed checkpoints: the canonical bytes each hash and
// signature covers (docs/security.md "The audit chain"), and checking a checkpoint's signature.
// Pure functions; safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "core/audit.h"

namespace riskcap::db {

// The hash before the first record: 64 zero hex digits (32 zero bytes).
extern const char kAuditGenesisHash[];

// The bytes of record `r` at chain `position` that its hash covers: position and at (microseconds
// since the Unix epoch) as 8-byte big-endian integers, then principal, method, request_id, outcome
// and detail, each as a 4-byte big-endian length and its bytes.
std::string AuditRecordBytes(int64_t position, const AuditRecord& r);

// Lowercase hex SHA-256 of the 32 bytes `prev_hash` (64 hex digits) stands for followed by
// AuditRecordBytes(position, r). A `prev_hash` that is not 64 hex digits hashes as given, so it
// can never reproduce a real link.
std::string AuditChainHash(std::string_view prev_hash, int64_t position, const AuditRecord& r);

// A signed statement that the chain's record at `position` has hash `head_hash` (position 0: the
// empty chain, kAuditGenesisHash).
struct AuditCheckpoint {
  int64_t id = 0;  // in the store; 0 for one kept outside
  int64_t position = 0;
  std::string head_hash;   // 64 lowercase hex digits
  int64_t at_us = 0;       // when it was signed, microseconds since the Unix epoch
  std::string public_key;  // the Ed25519 public key, 32 bytes as 64 lowercase hex digits
  std::string signature;   // Ed25519 over AuditCheckpointBytes, 64 bytes as 128 hex digits
};

// "riskcap audit checkpoint v1\n<position>\n<head_hash>\n<at_us>\n" (decimal integers).
std::string AuditCheckpointBytes(int64_t position, std::string_view head_hash, int64_t at_us);

// OK when `c.signature` is a valid Ed25519 signature by `c.public_key` over its bytes;
// InvalidArgument saying why not (malformed key or signature, or a signature that does not match).
absl::Status VerifyAuditCheckpoint(const AuditCheckpoint& c);

// True when `text` is `size` lowercase hex digits.
bool IsLowerHex(std::string_view text, size_t size);

}  // namespace riskcap::db
