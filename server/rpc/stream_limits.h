// Caps on the long-lived streaming calls (uploads, SubmitMargins, WatchFindings, WatchJobRun):
// how many may be open in total and per API key, and how long a client stream may sit idle.
// Each open stream holds a thread of the synchronous server, so without these caps a few
// clients could take every thread and starve the unary calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/log_throttle.h"
#include "server/daemon/config.h"

namespace riskcap::server {

struct StreamCaps {
  int max_streams = 32;         // open streams, all keys together
  int max_streams_per_key = 8;  // open streams of one API key
  // A client stream waiting this long for its client's next message is cancelled.
  absl::Duration idle = absl::Seconds(30);
};

// The caps `config` sets (max_streams, max_streams_per_key, stream_idle_seconds).
StreamCaps StreamCapsOf(const ServerConfig& config);

class StreamLimits;

// One admitted stream; releases its place when destroyed. Used by its call's thread only.
class StreamSlot {
 public:
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;
  ~StreamSlot();

  // reader.Read(message), cancelling the call if the client sends nothing for the idle limit.
  template <typename Reader, typename Message>
  bool Read(Reader& reader, Message* message) {
    BeginWait();
    const bool ok = reader.Read(message);
    EndWait();
    return ok;
  }

  // True once the idle limit cancelled the call.
  bool idled_out() const;

 private:
  friend class StreamLimits;
  StreamSlot(StreamLimits& limits, grpc::ServerContext& context, int64_t key_id,
             std::string method)
      : limits_(limits), context_(context), key_id_(key_id), method_(std::move(method)) {}
  void BeginWait();
  void EndWait();

  StreamLimits& limits_;
  grpc::ServerContext& context_;
  const int64_t key_id_;
  const std::string method_;
  // Guarded by limits_.mu_: when the call started waiting for its client (InfiniteFuture while
  // it is not waiting), and whether the idle limit cancelled it.
  absl::Time waiting_since_ = absl::InfiniteFuture();
  bool idled_out_ = false;
};

// Safe for concurrent use without external synchronization. Runs one watchdog thread that
// cancels idle client streams; must outlive every StreamSlot it hands out.
class StreamLimits {
 public:
  explicit StreamLimits(StreamCaps caps);
  ~StreamLimits();

  // A slot for a stream of `key_id` calling `method`, or RESOURCE_EXHAUSTED naming the cap
  // (per key or in total) that is full. Refusals are logged as warnings, rate-limited.
  absl::StatusOr<std::unique_ptr<StreamSlot>> Admit(int64_t key_id, grpc::ServerContext& context,
                                                    std::string_view method);

  const StreamCaps& caps() const { return caps_; }
  int open_streams() const;

 private:
  friend class StreamSlot;
  void Release(StreamSlot* slot);
  void CancelIdle(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WatchIdle();

  const StreamCaps caps_;
  mutable absl::Mutex mu_;
  absl::flat_hash_set<StreamSlot*> open_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<int64_t, int> per_key_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  LogThrottle refused_log_{absl::Seconds(10)};
  LogThrottle idle_log_{absl::Seconds(10)};
  std::thread watchdog_;
};

}  // namespace riskcap::server
