// The audit chain's sealer in riskcapd: a background thread that seals new audit records shortly
// after they commit and signs a checkpoint of the chain's head periodically, plus the same on
// demand (before a verification, for `riskcap audit head`). Replicas may each run one: sealing
// takes the store's seal lock (db::Store::SealAudit), so one seals at a time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "db/store.h"
#include "server/admin/audit_signing_key.h"

namespace riskcap::server {

// Safe for concurrent use.
class AuditSealer {
 public:
  struct Options {
    // Between two background sealings; zero: no background thread (sealed on demand only).
    absl::Duration seal_interval = absl::Seconds(1);
    // Between two periodic checkpoints; zero: checkpoints on demand only. None without a key.
    absl::Duration checkpoint_interval = absl::Hours(1);
  };
  // `key` may be null: then nothing is signed and checkpoints are refused. Starts the thread.
  AuditSealer(db::Store& store, const Clock& clock, const AuditSigningKey* key, Options options);
  ~AuditSealer();  // stops and joins the thread
  AuditSealer(const AuditSealer&) = delete;
  AuditSealer& operator=(const AuditSealer&) = delete;

  // Seals every record committed so far.
  absl::Status SealNow();
  // Seals, then returns a signed checkpoint of the head: the newest stored one when it already
  // covers the head, else a new one it stores. FailedPrecondition without a signing key.
  absl::StatusOr<db::AuditCheckpoint> CheckpointNow();
  // The signing key's public half, or "" without one.
  std::string public_key() const { return key_ ? key_->public_key() : ""; }

  // The chain as this server last saw it, for monitoring: the sealed head's position after its
  // latest sealing (whoever sealed the records), and the position of the newest checkpoint (0
  // when none) as read at its first sealing round and at each checkpoint it signs or reuses.
  // nullopt until known. Cheap: no store access.
  struct Positions {
    std::optional<int64_t> sealed;
    std::optional<int64_t> checkpoint;
  };
  Positions positions() const;

 private:
  void Loop();
  void Round();
  // Reads the newest checkpoint's position once, so the gauge has it before the first signing.
  void LearnCheckpointPosition();

  db::Store& store_;
  const Clock& clock_;
  const AuditSigningKey* key_;
  const Options options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;           // guarded by mu_
  absl::Time last_checkpoint_try_;  // only the thread touches it
  // Positions(); -1 while unknown. Only ever raised (concurrent sealings may finish out of order).
  std::atomic<int64_t> sealed_position_{-1};
  std::atomic<bool> swept_{false};  // a first round has looked at every record
  std::atomic<int64_t> checkpoint_position_{-1};
  std::thread thread_;
};

}  // namespace riskcap::server
