// Page tokens: base64url("p2:" + last key + ":" + MAC), MAC the first 16 bytes (hex) of
// HMAC-SHA256(page-token key, "p2\n" + method + "\n" + filters + "\n" + last key).
#include "server/rpc/page_token.h"

#include <algorithm>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/field_errors.h"
#include "core/status_macros.h"

namespace riskcap::server {
namespace {

constexpr size_t kMacBytes = 16;

std::string Mac(const std::string& key, const PageQuery& query, int64_t last_key) {
  std::string message = absl::StrCat("p2\n", query.method, "\n", query.filters, "\n", last_key);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac), std::min<size_t>(length, kMacBytes)));
}

absl::Status NotOurs() {
  return FieldError("page_token",
                    "is not a token this API returned for this method and these filters; "
                    "repeat the first call without page_token");
}

// The last key a token carries, once its MAC is checked against `query`.
absl::StatusOr<int64_t> Verify(const std::string& key, const PageQuery& query,
                               const std::string& page_token) {
  std::string decoded;
  if (page_token.size() > 256 || !absl::WebSafeBase64Unescape(page_token, &decoded)) {
    return NotOurs();
  }
  std::vector<std::string> parts = absl::StrSplit(decoded, ':');
  int64_t last_key = 0;
  if (parts.size() != 3 || parts[0] != "p2" || !absl::SimpleAtoi(parts[1], &last_key) ||
      last_key < 0 || parts[2].size() != 2 * kMacBytes) {
    return NotOurs();
  }
  std::string expected = Mac(key, query, last_key);
  if (CRYPTO_memcmp(expected.data(), parts[2].data(), expected.size()) != 0) return NotOurs();
  return last_key;
}

}  // namespace

std::string Pager::NextToken(int64_t last_key, size_t returned, int requested) const {
  if (returned < static_cast<size_t>(requested)) return "";
  return absl::WebSafeBase64Escape(
      absl::StrCat("p2:", last_key, ":", Mac(key_, query_, last_key)));
}

absl::StatusOr<Pager> PageFromKey(std::string key, PageQuery query, int32_t page_size,
                                  const std::string& page_token) {
  if (page_size < 0) return FieldError("page_size", "must be >= 0");
  db::Page page;
  page.limit = page_size == 0 ? kDefaultPageSize : std::min<int>(page_size, kMaxPageSize);
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(page.after_id, Verify(key, query, page_token));
  }
  return Pager(page, std::move(query), std::move(key));
}

}  // namespace riskcap::server
