// The sealer's loop and its on-demand checkpoints.
#include "server/admin/audit_sealer.h"

#include "core/logger.h"
#include "core/log_throttle.h"
#include "core/status_macros.h"

namespace riskcap::server {
namespace {

// Raises `value` to `to` unless it is already higher.
void RaiseTo(std::atomic<int64_t>& value, int64_t to) {
  int64_t now = value.load(std::memory_order_relaxed);
  while (now < to && !value.compare_exchange_weak(now, to, std::memory_order_relaxed)) {
  }
}

std::optional<int64_t> Known(const std::atomic<int64_t>& value) {
  const int64_t v = value.load(std::memory_order_relaxed);
  return v < 0 ? std::nullopt : std::optional<int64_t>(v);
}

}  // namespace

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

absl::Status AuditSealer::SealNow() {
  int64_t head = 0;
  // The first round looks at every record: one that committed after the rounds of an earlier
  // run had given up on its id is sealed too.
  const bool sweep = !swept_.load(std::memory_order_relaxed);
  RETURN_IF_ERROR(store_.SealAllAudit(&head, sweep).status());
  swept_.store(true, std::memory_order_relaxed);
  RaiseTo(sealed_position_, head);
  return absl::OkStatus();
}

AuditSealer::Positions AuditSealer::positions() const {
  return {Known(sealed_position_), Known(checkpoint_position_)};
}

void AuditSealer::LearnCheckpointPosition() {
  if (checkpoint_position_.load(std::memory_order_relaxed) >= 0) return;
  auto latest = store_.LatestAuditCheckpoint();
  if (latest.ok()) RaiseTo(checkpoint_position_, *latest ? (*latest)->position : 0);
}

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
    RaiseTo(checkpoint_position_, latest->position);
    return *latest;
  }
  ASSIGN_OR_RETURN(db::AuditCheckpoint signed_head,
                   key_->Sign(head.position, head.hash, absl::ToUnixMicros(clock_.Now())));
  RETURN_IF_ERROR(store_.AppendAuditCheckpoint(signed_head));
  RaiseTo(checkpoint_position_, signed_head.position);
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
  if (st.ok()) LearnCheckpointPosition();
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
