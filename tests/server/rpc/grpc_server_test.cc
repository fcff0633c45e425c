// The gRPC server shell: binding, health checking, reflection and refusal of unsafe listeners.
#include "server/rpc/grpc_server.h"

#include "gtest/gtest.h"
#include "tests/testing/grpc_probe.h"

namespace riskcap::server {
namespace {

ServerConfig LoopbackAnyPort() {
  ServerConfig config;
  config.listen = "127.0.0.1:0";
  return config;
}

std::shared_ptr<grpc::Channel> Connect(const GrpcServer& server) {
  return grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
}

TEST(GrpcServer, BindsAFreePortAndReportsServing) {
  auto server = GrpcServer::Start(LoopbackAnyPort(), {});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_GT((*server)->port(), 0);
  auto serving = testing::HealthServing(Connect(**server));
  ASSERT_TRUE(serving.ok()) << serving.status();
  EXPECT_TRUE(*serving);
}

TEST(GrpcServer, ServesReflection) {
  auto server = GrpcServer::Start(LoopbackAnyPort(), {});
  ASSERT_TRUE(server.ok()) << server.status();
  auto listing = testing::ReflectionListServices(Connect(**server));
  ASSERT_TRUE(listing.ok()) << listing.status();
  EXPECT_NE(listing->find("grpc.health.v1.Health"), std::string::npos);
}

TEST(GrpcServer, BusyPortFailsLoudlyInsteadOfSharing) {
  auto first = GrpcServer::Start(LoopbackAnyPort(), {});
  ASSERT_TRUE(first.ok()) << first.status();
  ServerConfig config;
  config.listen = (*first)->address();
  auto second = GrpcServer::Start(config, {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

TEST(GrpcServer, RefusesPlainTextOnNonLoopbackAddressWithoutFlag) {
  ServerConfig config;
  config.listen = "0.0.0.0:0";
  auto refused = GrpcServer::Start(config, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("--allow-insecure-remote"), absl::string_view::npos);
  config.allow_insecure_remote = true;
  auto allowed = GrpcServer::Start(config, {});
  EXPECT_TRUE(allowed.ok()) << allowed.status();
}

TEST(GrpcServer, ShutdownStopsServing) {
  auto server = GrpcServer::Start(LoopbackAnyPort(), {});
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = Connect(**server);
  (*server)->Shutdown(absl::Seconds(1));
  (*server)->Wait();
  auto serving = testing::HealthServing(channel);
  EXPECT_FALSE(serving.ok() && *serving);
}

}  // namespace
}  // namespace riskcap::server
