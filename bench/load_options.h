// Options every scenario shares (which server, which key, how hard and how long to drive it),
// and the one channel and per-call context built from them.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

namespace CLI {
class App;
}

namespace riskcap::bench {

struct LoadOptions {
  std::string server = "127.0.0.1:50051";  // --server / RISKCAP_SERVER, host:port
  std::string token;                       // --token / RISKCAP_TOKEN, an API key secret
  int inflight = 64;                       // calls kept outstanding at all times
  double seconds = 10;                     // measured duration
  double warmup = 2;                       // seconds driven before measuring, not counted
  int deadline_ms = 30'000;                // per-call deadline
};

// Registers --server, --token, --inflight, --seconds, --warmup and --deadline-ms on `command`.
void AddLoadOptions(CLI::App& command, LoadOptions* options);

// Registers only --server, --token and --deadline-ms: for scenarios that are not a timed
// closed loop (ingest, pipeline).
void AddConnectionOptions(CLI::App& command, LoadOptions* options);

// One plain-text HTTP/2 channel to the server; every call of a run shares it.
std::shared_ptr<grpc::Channel> OpenChannel(const LoadOptions& options);

// Sets the bearer token and the per-call deadline on a fresh context.
void PrepareContext(const LoadOptions& options, grpc::ClientContext& context);

}  // namespace riskcap::bench
