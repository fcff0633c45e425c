// The sealer's loop and its on-demand checkpoints.
#include "server/audit_sealer.h"

#include "core/logger.h"
#include "core/log_throttle.h"
#include "core/status_macros.h"

namespace riskcap::server {

AuditSealer::AuditSealer(db::Store& store, const Clock& clock, const AuditSigningKey* key,
                         Options options)
    : store_(store), clock_(clock), key_(key), options_(options),
      last_checkpoint_try_(clock.Now()) {
  if (options_.seal_interval > absl::ZeroDuration()) thread_ = std::thread([this] { Loop(); });
}

AuditSealer::~AuditSealer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

absl::Status AuditSealer::SealNow() { return store_.SealAllAudit().status(); }

absl::StatusOr<db::AuditCheckpoint> AuditSealer::CheckpointNow() {
  if (key_ == nullptr) {
    return absl::FailedPreconditionError(
        "this server has no signing key: set RISKCAP_SIGNING_KEY_FILE (created by `riskcapd keys "
        "init-signing`) to sign audit checkpoints");
  }
  RETURN_IF_ERROR(SealNow());
  ASSIGN_OR_RETURN(db::Store::AuditHead head, store_.AuditChainHead());
  ASSIGN_OR_RETURN(std::optional<db::AuditCheckpoint> latest, store_.LatestAuditCheckpoint());
  if (latest && latest->position == head.position && latest->head_hash == head.hash &&
      latest->public_key == key_->public_key()) {
    return *latest;
  }
  ASSIGN_OR_RETURN(db::AuditCheckpoint signed_head,
                   key_->Sign(head.position, head.hash, absl::ToUnixMicros(clock_.Now())));
  RETURN_IF_ERROR(store_.AppendAuditCheckpoint(signed_head));
  return signed_head;
}

void AuditSealer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, absl::ToChronoMilliseconds(options_.seal_interval));
    if (stopping_) break;
    lock.unlock();
    Round();
    lock.lock();
  }
}

void AuditSealer::Round() {
  static LogThrottle throttle(absl::Minutes(1));
  absl::Status st = SealNow();
  bool due = key_ != nullptr && options_.checkpoint_interval > absl::ZeroDuration() &&
             clock_.Now() - last_checkpoint_try_ >= options_.checkpoint_interval;
  if (st.ok() && due) {
    last_checkpoint_try_ = clock_.Now();
    st = CheckpointNow().status();
  }
  if (int64_t held = 0; !st.ok() && throttle.Allow(clock_.Now(), held)) {
    Log(LogLevel::kWarning, "audit sealing failed; will retry",
        {{"error", st.ToString()}, {"suppressed", held}});
  }
}

}  // namespace riskcap::server
