// StreamLimits: counts of open streams, and the watchdog that cancels idle client streams.
#include "server/rpc/stream_limits.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/logger.h"

namespace riskcap::server {
namespace {

// How often the watchdog looks: a tenth of the idle limit, so a stream is cancelled at most
// about 10% after its limit.
absl::Duration WatchdogTick(absl::Duration idle) {
  return std::clamp(idle / 10, absl::Milliseconds(10), absl::Seconds(1));
}

}  // namespace

StreamCaps StreamCapsOf(const ServerConfig& config) {
  return {config.max_streams, config.max_streams_per_key,
          absl::Seconds(config.stream_idle_seconds)};
}

StreamSlot::~StreamSlot() { limits_.Release(this); }

void StreamSlot::BeginWait() {
  absl::MutexLock lock(&limits_.mu_);
  waiting_since_ = absl::Now();
}

void StreamSlot::EndWait() {
  absl::MutexLock lock(&limits_.mu_);
  waiting_since_ = absl::InfiniteFuture();
}

bool StreamSlot::idled_out() const {
  absl::MutexLock lock(&limits_.mu_);
  return idled_out_;
}

StreamLimits::StreamLimits(StreamCaps caps) : caps_(caps), watchdog_([this] { WatchIdle(); }) {}

StreamLimits::~StreamLimits() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  watchdog_.join();
}

absl::StatusOr<std::unique_ptr<StreamSlot>> StreamLimits::Admit(int64_t key_id,
                                                                grpc::ServerContext& context,
                                                                std::string_view method) {
  std::string refusal;
  {
    absl::MutexLock lock(&mu_);
    int& of_key = per_key_[key_id];
    if (of_key >= caps_.max_streams_per_key) {
      refusal = absl::StrCat("this API key already has ", of_key,
                             " streams open (the per-key cap, RISKCAP_MAX_STREAMS_PER_KEY); "
                             "close one or retry later");
    } else if (static_cast<int>(open_.size()) >= caps_.max_streams) {
      refusal = absl::StrCat("the server already has ", open_.size(),
                             " streams open (the total cap, RISKCAP_MAX_STREAMS); retry later");
    } else {
      ++of_key;
      auto slot = std::unique_ptr<StreamSlot>(
          new StreamSlot(*this, context, key_id, std::string(method)));
      open_.insert(slot.get());
      return slot;
    }
    if (of_key == 0) per_key_.erase(key_id);
  }
  if (int64_t suppressed = 0; refused_log_.Allow(absl::Now(), suppressed)) {
    Log(LogLevel::kWarning, "stream refused: cap reached",
        {{"method", method}, {"key", key_id}, {"reason", refusal}, {"suppressed", suppressed}});
  }
  return absl::ResourceExhaustedError(refusal);
}

int StreamLimits::open_streams() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(open_.size());
}

void StreamLimits::Release(StreamSlot* slot) {
  absl::MutexLock lock(&mu_);
  open_.erase(slot);
  auto it = per_key_.find(slot->key_id_);
  if (it != per_key_.end() && --it->second <= 0) per_key_.erase(it);
}

void StreamLimits::CancelIdle(absl::Time now) {
  for (StreamSlot* slot : open_) {
    if (slot->idled_out_ || now - slot->waiting_since_ < caps_.idle) continue;
    slot->idled_out_ = true;
    slot->context_.TryCancel();  // the slot's blocked Read returns false
    if (int64_t suppressed = 0; idle_log_.Allow(now, suppressed)) {
      Log(LogLevel::kWarning, "stream cancelled: idle limit reached",
          {{"method", slot->method_},
           {"key", slot->key_id_},
           {"idle_s", absl::ToDoubleSeconds(caps_.idle)},
           {"suppressed", suppressed}});
    }
  }
}

void StreamLimits::WatchIdle() {
  const absl::Duration tick = WatchdogTick(caps_.idle);
  absl::MutexLock lock(&mu_);
  auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping), tick)) CancelIdle(absl::Now());
}

}  // namespace riskcap::server
