// SHA-256 (OpenSSL) as lowercase hex: content hashes, API-key hashes, migration checksums.
#pragma once

#include <string>
#include <string_view>

namespace riskcap::db {

// Lowercase hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// Incremental hashing for large canonical serialisations. Not thread-safe.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view data);
  std::string FinishHex();  // the hasher must not be used afterwards

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace riskcap::db
