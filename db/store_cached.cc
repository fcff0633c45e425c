// Store's cached look-ups for the submission hot path (see db/internal/lookup_cache.h for the contract).
#include "core/status_macros.h"
#include "db/internal/lookup_cache.h"
#include "db/store.h"

namespace riskcap::db {

absl::StatusOr<ApiKey> Store::FindApiKeyByHashCached(const std::string& secret_hash) {
  if (std::optional<ApiKey> hit = caches_->api_keys.Get(secret_hash)) return *hit;
  uint64_t generation = caches_->api_keys.generation();
  ASSIGN_OR_RETURN(ApiKey key, FindApiKeyByHash(secret_hash));
  caches_->api_keys.Put(secret_hash, key, generation);
  return key;
}

absl::StatusOr<Fund> Store::GetFundCached(int64_t id) {
  if (std::optional<Fund> hit = caches_->funds.Get(id)) return *hit;
  uint64_t generation = caches_->funds.generation();
  ASSIGN_OR_RETURN(Fund fund, GetFund(id));
  caches_->funds.Put(id, fund, generation);
  return fund;
}

absl::StatusOr<std::optional<FundExposure>> Store::GetLatestExposureCached(int64_t fund_id,
                                                                           Date on) {
  std::optional<LatestExposure> hit = caches_->exposures.Get(fund_id);
  if (hit && hit->on == on) return hit->row;
  uint64_t generation = caches_->exposures.generation();
  LatestExposure latest{on, std::nullopt};
  auto version = GetLatestSnapshotVersion(SnapshotKind::kExposure, on);
  if (!version.ok() && !absl::IsNotFound(version.status())) return version.status();
  if (version.ok()) {
    auto row = GetExposure(version->id, fund_id);
    if (!row.ok() && !absl::IsNotFound(row.status())) return row.status();
    if (row.ok()) latest.row = *row;
  }
  caches_->exposures.Put(fund_id, latest, generation);
  return latest.row;
}

}  // namespace riskcap::db
