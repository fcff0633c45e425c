// Ed25519 signing of audit checkpoints through OpenSSL 3's EVP interface.
#include "server/admin/audit_signing_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace riskcap::server {

struct AuditSigningKey::Key {
  EVP_PKEY* pkey = nullptr;
};

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string Hex(const unsigned char* data, size_t size) {
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(data), size));
}

// The PEM text of a new Ed25519 private key.
absl::StatusOr<std::string> NewKeyPem() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (pkey == nullptr) return absl::InternalError("OpenSSL could not generate an Ed25519 key");
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  bool written = bio && PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr,
                                                 nullptr) == 1;
  EVP_PKEY_free(pkey);
  if (!written) return absl::InternalError("OpenSSL could not encode the new key");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

absl::Status AuditSigningKey::CreateFile(const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError(
        "no signing key file is configured: set RISKCAP_SIGNING_KEY_FILE (--signing-key-file)");
  }
  auto pem = NewKeyPem();
  if (!pem.ok()) return pem.status();
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) {
    return absl::AlreadyExistsError(absl::StrCat(
        "signing key file ", path, " already exists; it is never overwritten (checkpoints "
        "signed by it would no longer verify against a new key)"));
  }
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  bool ok = write(fd, pem->data(), pem->size()) == static_cast<ssize_t>(pem->size()) &&
            fsync(fd) == 0;
  int saved = errno;
  close(fd);
  if (!ok) {
    unlink(path.c_str());
    return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(saved)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<AuditSigningKey>> AuditSigningKey::Load(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("signing key file ", path, " does not exist; create "
                                            "it with `riskcapd keys init-signing`"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "signing key file ", path, " is readable by group or others; make it mode 0600"));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string pem = text.str();
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* pkey = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (pkey == nullptr || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(pkey);
    return absl::FailedPreconditionError(
        absl::StrCat("signing key file ", path, " holds no Ed25519 private key (PEM)"));
  }
  unsigned char raw[32];
  size_t raw_size = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(pkey, raw, &raw_size) != 1 || raw_size != sizeof(raw)) {
    EVP_PKEY_free(pkey);
    return absl::InternalError("OpenSSL could not read the signing key's public half");
  }
  Key* key = new Key{pkey};
  return std::unique_ptr<AuditSigningKey>(new AuditSigningKey(key, Hex(raw, raw_size)));
}

AuditSigningKey::~AuditSigningKey() {
  EVP_PKEY_free(key_->pkey);
  delete key_;
}

absl::StatusOr<db::AuditCheckpoint> AuditSigningKey::Sign(int64_t position,
                                                          const std::string& head_hash,
                                                          int64_t at_us) const {
  std::string message = db::AuditCheckpointBytes(position, head_hash, at_us);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t sig_size = sizeof(sig);
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &sig_size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return absl::InternalError("OpenSSL could not sign the audit checkpoint");
  }
  db::AuditCheckpoint c;
  c.position = position;
  c.head_hash = head_hash;
  c.at_us = at_us;
  c.public_key = public_key_;
  c.signature = Hex(sig, sig_size);
  return c;
}

}  // namespace riskcap::server
