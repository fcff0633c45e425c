// The audit chain's canonical bytes and hashes, and Ed25519 checkpoint signatures (OpenSSL 3).
#include "db/audit_chain.h"

#include <memory>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"

namespace riskcap::db {
namespace {

void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void AppendField(std::string& out, const std::string& field) {
  AppendBigEndian(out, field.size(), 4);
  out += field;
}

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

const char kAuditGenesisHash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

bool IsLowerHex(std::string_view text, size_t size) {
  if (text.size() != size) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string AuditRecordBytes(int64_t position, const AuditRecord& r) {
  std::string out;
  out.reserve(16 + 20 + r.principal.size() + r.method.size() + r.request_id.size() +
              r.outcome.size() + r.detail.size());
  AppendBigEndian(out, static_cast<uint64_t>(position), 8);
  AppendBigEndian(out, static_cast<uint64_t>(absl::ToUnixMicros(r.at)), 8);
  for (const std::string* field : {&r.principal, &r.method, &r.request_id, &r.outcome, &r.detail}) {
    AppendField(out, *field);
  }
  return out;
}

std::string AuditChainHash(std::string_view prev_hash, int64_t position, const AuditRecord& r) {
  std::string input = IsLowerHex(prev_hash, 64) ? absl::HexStringToBytes(AbslView(prev_hash))
                                                : std::string(prev_hash);
  input += AuditRecordBytes(position, r);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string AuditCheckpointBytes(int64_t position, std::string_view head_hash, int64_t at_us) {
  return absl::StrCat("riskcap audit checkpoint v1\n", position, "\n", AbslView(head_hash), "\n",
                      at_us, "\n");
}

absl::Status VerifyAuditCheckpoint(const AuditCheckpoint& c) {
  if (!IsLowerHex(c.public_key, 64)) {
    return absl::InvalidArgumentError("public_key is not 64 lowercase hex digits");
  }
  if (!IsLowerHex(c.signature, 128)) {
    return absl::InvalidArgumentError("signature is not 128 lowercase hex digits");
  }
  std::string key = absl::HexStringToBytes(c.public_key);
  std::string sig = absl::HexStringToBytes(c.signature);
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(key.data()), key.size()));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    return absl::InvalidArgumentError("public_key is not a usable Ed25519 key");
  }
  std::string message = AuditCheckpointBytes(c.position, c.head_hash, c.at_us);
  int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()),
                            sig.size(), reinterpret_cast<const unsigned char*>(message.data()),
                            message.size());
  if (ok != 1) {
    return absl::InvalidArgumentError(
        "the signature does not match the checkpoint's position, hash and time under its key");
  }
  return absl::OkStatus();
}

}  // namespace riskcap::db
