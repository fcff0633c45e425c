// Store URL parsing and password redaction.
#include "db/store_url.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"

namespace riskcap::db {
namespace {

using Range = std::pair<size_t, size_t>;  // [begin, end) of a secret in the text

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '%';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// The key with %XX sequences decoded (as libpq decodes URI query keys), lower-cased.
std::string DecodedKey(std::string_view key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '%' && i + 2 < key.size() && HexValue(key[i + 1]) >= 0 &&
        HexValue(key[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(key[i + 1]) * 16 + HexValue(key[i + 2])));
      i += 2;
    } else {
      out.push_back(key[i]);
    }
  }
  return absl::AsciiStrToLower(out);
}

// The passwords of "scheme://user:PASSWORD@host/...": up to the last '@' before the path.
void FindUserinfoPasswords(std::string_view text, std::vector<Range>* out) {
  for (size_t at = text.find("://"); at != std::string_view::npos; at = text.find("://", at + 3)) {
    size_t start = at + 3;
    size_t end = start;
    while (end < text.size() && !IsSpace(text[end]) && text[end] != '/' && text[end] != '?' &&
           text[end] != '#') {
      ++end;
    }
    size_t last_at = text.substr(start, end - start).rfind('@');
    if (last_at == std::string_view::npos) continue;
    size_t colon = text.substr(start, last_at).find(':');
    if (colon != std::string_view::npos) out->emplace_back(start + colon + 1, start + last_at);
  }
}

// The end of a single-quoted libpq value starting at `quote` (backslash escapes), or the end.
size_t QuotedEnd(std::string_view text, size_t quote) {
  for (size_t i = quote + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '\'') {
      return i;
    }
  }
  return text.size();
}

// The values of "...password=VALUE" keys: URI query parameters and libpq conninfo pairs.
void FindPasswordValues(std::string_view text, std::vector<Range>* out) {
  for (size_t eq = text.find('='); eq != std::string_view::npos; eq = text.find('=', eq + 1)) {
    size_t key_end = eq;
    while (key_end > 0 && IsSpace(text[key_end - 1])) --key_end;
    size_t key_start = key_end;
    while (key_start > 0 && IsKeyChar(text[key_start - 1])) --key_start;
    if (key_start == key_end ||
        !absl::EndsWith(DecodedKey(text.substr(key_start, key_end - key_start)), "password")) {
      continue;
    }
    size_t value = eq + 1;
    while (value < text.size() && IsSpace(text[value])) ++value;
    if (value < text.size() && text[value] == '\'') {
      out->emplace_back(value + 1, QuotedEnd(text, value));
      continue;
    }
    size_t end = value;
    while (end < text.size() && !IsSpace(text[end]) && text[end] != '&' && text[end] != '#') ++end;
    out->emplace_back(value, end);
  }
}

}  // namespace

std::string RedactStoreUrl(std::string_view text) {
  std::vector<Range> secrets;
  FindUserinfoPasswords(text, &secrets);
  FindPasswordValues(text, &secrets);
  std::sort(secrets.begin(), secrets.end());
  std::string out;
  size_t done = 0;
  for (const auto& [begin, end] : secrets) {
    if (end <= done) continue;  // inside a secret already replaced
    size_t from = std::max(begin, done);
    absl::StrAppend(&out, AbslView(text.substr(done, from - done)), "***");
    done = end;
  }
  absl::StrAppend(&out, AbslView(text.substr(done)));
  return out;
}

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
    out.redacted = RedactStoreUrl(url);
    return out;
  }
  if (absl::StartsWith(AbslView(url), "postgresql://") ||
      absl::StartsWith(AbslView(url), "postgres://")) {
    out.backend = Backend::kPostgresql;
    out.target = std::string(url);
    out.redacted = RedactStoreUrl(url);
    return out;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unsupported store URL '", RedactStoreUrl(url),
      "' (expected sqlite:PATH, sqlite::memory: or postgresql://USER@HOST:PORT/DB)"));
}

}  // namespace riskcap::db
