// Store: opening, migrations and backend identity. The entity methods live in store_*.cc.
#include "db/store.h"

#include "core/status_macros.h"
#include "db/internal/database.h"
#include "db/internal/lookup_cache.h"
#include "db/internal/migrator.h"

namespace riskcap::db {

Store::Store(std::unique_ptr<Database> db)
    : db_(std::move(db)), caches_(std::make_unique<LookupCaches>()) {}
Store::~Store() = default;

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& url, int pool_size,
                                                   const SessionTimeouts& timeouts) {
  ASSIGN_OR_RETURN(StoreUrl parsed, ParseStoreUrl(url));
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(parsed, pool_size, timeouts));
  return std::unique_ptr<Store>(new Store(std::move(db)));
}

Backend Store::backend() const { return db_->backend(); }
absl::StatusOr<int> Store::Migrate() { return db::Migrate(*db_); }
absl::StatusOr<int> Store::SchemaVersion() { return db::SchemaVersion(*db_); }
int Store::LatestSchemaVersion(Backend backend) { return MigrationsFor(backend).back().version; }
absl::Status Store::CheckReachable() { return db_->Probe(); }

StoreStats Store::Stats() const { return db_->Stats(); }

}  // namespace riskcap::db
