// Test support: a real riskcap gRPC server on 127.0.0.1:0 over a fresh store, with API keys
// created for each role, driven through real channels.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/service_type.h>

#include "absl/status/statusor.h"
#include "core/clock.h"
#include "db/store.h"
#include "server/rpc/auth.h"
#include "server/daemon/config.h"
#include "server/rpc/grpc_server.h"
#include "server/rpc/rpc.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {

class TestServer {
 public:
  using ServiceFactory =
      std::function<std::vector<std::unique_ptr<grpc::Service>>(server::RpcEnv& env)>;

  // Starts the services `make_services` returns over a fresh migrated store on `backend`.
  // The clock is fake, starting at 2026-11-24T12:00:00Z. Writes go through group commit, as in
  // riskcapd.
  static absl::StatusOr<std::unique_ptr<TestServer>> Start(
      db::Backend backend, const ServiceFactory& make_services,
      std::function<void(server::ServerConfig&)> configure = {});
  ~TestServer();

  db::Store& store() { return *store_; }
  server::WriteBatcher& batcher() { return *batcher_; }
  FakeClock& clock() { return clock_; }
  server::RpcEnv& env() { return *env_; }
  // Failed-authentication counts reach the store in the background; tests flush them first.
  const server::Authenticator& auth() const { return *auth_; }
  std::string address() const { return server_->address(); }
  std::shared_ptr<grpc::Channel> channel() const;

  // Creates an API key directly in the store and returns its secret.
  std::string CreateKey(Role role, std::optional<int64_t> manager_id = std::nullopt);
  // Sets "authorization: Bearer <secret>" and a 10 s deadline on `context`.
  static void Authorize(grpc::ClientContext& context, const std::string& secret);

 private:
  TestServer() : clock_(absl::FromCivil(absl::CivilSecond(2026, 11, 24, 12, 0, 0), absl::UTCTimeZone())) {}
  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<db::Store> store_;
  FakeClock clock_;
  std::unique_ptr<server::Authenticator> auth_;
  std::unique_ptr<server::WriteBatcher> batcher_;
  std::unique_ptr<server::RpcEnv> env_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<server::GrpcServer> server_;
};

}  // namespace riskcap::testing
