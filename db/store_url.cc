// Store URL parsing.
#include "db/store_url.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"

namespace riskcap::db {
namespace {

// Replaces the password of "scheme://user:password@host" with "***".
std::string RedactPassword(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  size_t auth_start = scheme_end + 3;
  size_t at = url.find('@', auth_start);
  if (at == std::string_view::npos) return std::string(url);
  size_t colon = url.find(':', auth_start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return absl::StrCat(AbslView(url.substr(0, colon + 1)), "***", AbslView(url.substr(at)));
}

}  // namespace

std::string_view BackendName(Backend backend) {
  return backend == Backend::kSqlite ? "sqlite" : "postgresql";
}

absl::StatusOr<StoreUrl> ParseStoreUrl(std::string_view url) {
  if (url.size() > 4096) {  // a path or URI longer than any real one: refused unparsed
    return absl::InvalidArgumentError(
        absl::StrCat("store URL of ", url.size(), " characters; at most 4096"));
  }
  StoreUrl out;
  if (absl::StartsWith(AbslView(url), "sqlite:")) {
    out.backend = Backend::kSqlite;
    out.target = std::string(url.substr(7));
    if (out.target.empty()) {
      return absl::InvalidArgumentError(
          "store URL 'sqlite:' has no path (use sqlite:PATH or sqlite::memory:)");
    }
    out.redacted = std::string(url);
    return out;
  }
  if (absl::StartsWith(AbslView(url), "postgresql://") || absl::StartsWith(AbslView(url), "postgres://")) {
    out.backend = Backend::kPostgresql;
    out.target = std::string(url);
    out.redacted = RedactPassword(url);
    return out;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unsupported store URL '", RedactPassword(url),
      "' (expected sqlite:PATH, sqlite::memory: or postgresql://USER@HOST:PORT/DB)"));
}

}  // namespace riskcap::db
