// Parses store URLs: "sqlite:PATH", "sqlite::memory:" and "postgresql://..." (libpq URI), and
// redacts the passwords they (or any text quoting them) may hold.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace riskcap::db {

enum class Backend { kSqlite, kPostgresql };

// "sqlite" or "postgresql".
std::string_view BackendName(Backend backend);

struct StoreUrl {
  Backend backend = Backend::kSqlite;
  std::string target;    // SQLite file path (or ":memory:"), or the libpq connection URI
  std::string redacted;  // RedactStoreUrl of the URL: safe to log, store and return
  bool in_memory() const { return backend == Backend::kSqlite && target == ":memory:"; }
};

// InvalidArgument with the reason when the URL is not one of the accepted forms. The message
// quotes the URL only redacted.
absl::StatusOr<StoreUrl> ParseStoreUrl(std::string_view url);

// `text` with every password it may hold replaced by "***": the one function through which a
// store URL (or a message quoting one) is shown anywhere — logs, errors, job parameters, command
// output. It covers
// - a URI's userinfo: "scheme://user:PASSWORD@host" (up to the last '@' before the path);
// - a URI query parameter: "?password=PASSWORD&..." (also "sslpassword", and a percent-encoded
//   key such as "pass%77ord", which libpq decodes);
// - a libpq key=value conninfo: "password=PASSWORD", "password = 'PASS WORD'" (quoted, with
//   backslash escapes).
// Text without such a secret is returned unchanged; redacting twice changes nothing more.
std::string RedactStoreUrl(std::string_view text);

}  // namespace riskcap::db
