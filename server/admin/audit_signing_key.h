// The server's Ed25519 key that signs audit checkpoints (docs/security.md "Signed checkpoints"):
// created once by `riskcapd keys init-signing`, read from RISKCAP_SIGNING_KEY_FILE.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "db/audit_chain.h"

namespace riskcap::server {

// An Ed25519 private key. Signing is safe for concurrent use (each call has its own context).
class AuditSigningKey {
 public:
  // Creates a new key at `path` as PKCS#8 PEM, mode 0600, never through a symbolic link.
  // AlreadyExists when `path` exists (a key is never overwritten); InvalidArgument for an empty
  // path; Internal when the file cannot be written.
  static absl::Status CreateFile(const std::string& path);
  // Reads the key at `path`. FailedPrecondition when the file is readable by group or others or
  // holds no Ed25519 private key; NotFound when it does not exist.
  static absl::StatusOr<std::unique_ptr<AuditSigningKey>> Load(const std::string& path);
  ~AuditSigningKey();
  AuditSigningKey(const AuditSigningKey&) = delete;
  AuditSigningKey& operator=(const AuditSigningKey&) = delete;

  // The public key, 32 bytes as 64 lowercase hex digits.
  const std::string& public_key() const { return public_key_; }
  // A checkpoint of (position, head_hash, at_us) signed by this key.
  absl::StatusOr<db::AuditCheckpoint> Sign(int64_t position, const std::string& head_hash,
                                           int64_t at_us) const;

 private:
  struct Key;
  AuditSigningKey(Key* key, std::string public_key) : key_(key), public_key_(public_key) {}
  Key* key_;
  std::string public_key_;
};

}  // namespace riskcap::server
