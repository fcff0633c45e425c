// LoadOptions: flags, channel and call context.
#include "bench/load_options.h"

#include <chrono>

#include <CLI/CLI.hpp>

namespace riskcap::bench {

void AddConnectionOptions(CLI::App& command, LoadOptions* o) {
  command.add_option("--server", o->server, "host:port of riskcapd")
      ->envname("RISKCAP_SERVER")
      ->capture_default_str();
  command.add_option("--token", o->token, "API key secret (ADMIN for setup)")
      ->envname("RISKCAP_TOKEN")
      ->required();
  command.add_option("--deadline-ms", o->deadline_ms, "deadline of each call")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
}

void AddLoadOptions(CLI::App& command, LoadOptions* o) {
  AddConnectionOptions(command, o);
  command.add_option("--inflight", o->inflight, "calls kept outstanding on the one channel")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  command.add_option("--seconds", o->seconds, "measured duration in seconds")
      ->check(CLI::Range(0.1, 86'400.0))
      ->capture_default_str();
  command.add_option("--warmup", o->warmup, "seconds of load before measuring (not counted)")
      ->check(CLI::Range(0.0, 3'600.0))
      ->capture_default_str();
}

std::shared_ptr<grpc::Channel> OpenChannel(const LoadOptions& options) {
  grpc::ChannelArguments args;
  // A private subchannel, so this run's single HTTP/2 connection is not shared with another
  // channel of the same process (setup uses the same channel anyway).
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(options.server, grpc::InsecureChannelCredentials(), args);
}

void PrepareContext(const LoadOptions& options, grpc::ClientContext& context) {
  context.AddMetadata("authorization", "Bearer " + options.token);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(options.deadline_ms));
}

}  // namespace riskcap::bench
