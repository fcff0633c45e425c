// Page tokens: base64url("p1:" + last key).
#include "server/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/field_errors.h"

namespace riskcap::server {

absl::StatusOr<db::Page> PageFromRequest(int32_t page_size, const std::string& page_token) {
  if (page_size < 0) return FieldError("page_size", "must be >= 0");
  db::Page page;
  page.limit = page_size == 0 ? kDefaultPageSize : std::min<int>(page_size, kMaxPageSize);
  if (page_token.empty()) return page;
  // Issued tokens are under 100 characters: a longer one is refused before it is decoded.
  if (page_token.size() > 512) return FieldError("page_token", "is longer than any token issued");
  std::string decoded;
  int64_t after = 0;
  if (!absl::WebSafeBase64Unescape(page_token, &decoded) || !absl::StartsWith(decoded, "p1:") ||
      !absl::SimpleAtoi(absl::string_view(decoded).substr(3), &after) || after < 0) {
    return FieldError("page_token", "is not a token returned by this API");
  }
  page.after_id = after;
  return page;
}

std::string NextPageToken(int64_t last_key, size_t returned, int requested) {
  if (returned < static_cast<size_t>(requested)) return "";
  return absl::WebSafeBase64Escape(absl::StrCat("p1:", last_key));
}

}  // namespace riskcap::server
