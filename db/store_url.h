// Parses store URLs: "sqlite:PATH", "sqlite::memory:" and "postgresql://..." (libpq URI).
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
  std::string redacted;  // the URL with any password replaced by "***", safe to log
  bool in_memory() const { return backend == Backend::kSqlite && target == ":memory:"; }
};

// InvalidArgument with the reason when the URL is not one of the accepted forms.
absl::StatusOr<StoreUrl> ParseStoreUrl(std::string_view url);

}  // namespace riskcap::db
