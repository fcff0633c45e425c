// The SQL migrations of migrations/{sqlite,postgresql}/, compiled into the binary.
#pragma once

#include <string_view>
#include <vector>

namespace riskcap::db {

struct EmbeddedMigration {
  std::string_view dialect;  // "sqlite" or "postgresql"
  std::string_view name;     // file name, e.g. "0001_init.sql"; sorted by name within a dialect
  std::string_view sql;
};

// Every migration of every dialect, in file-name order per dialect.
const std::vector<EmbeddedMigration>& EmbeddedMigrations();

}  // namespace riskcap::db
