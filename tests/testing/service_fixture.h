// Test support: the fixture of a gRPC service's tests — a real server on one backend seeded with the
// shared registry (fixtures.h), a key of each role, and a stub of the service under test.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "gtest/gtest.h"
#include "server/rpc/rpc.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/test_server.h"

namespace riskcap::testing {

// `Service` is the generated service class (e.g. v1::FundService); subclasses say which
// implementations the server runs.
template <typename Service>
class ServiceFixture : public ::testing::TestWithParam<db::Backend> {
 protected:
  using Stub = typename Service::Stub;
  using Code = grpc::StatusCode;

  virtual std::vector<std::unique_ptr<grpc::Service>> MakeServices(server::RpcEnv& env) = 0;

  void SetUp() override {
    auto server = TestServer::Start(GetParam(), [this](server::RpcEnv& env) {
      return MakeServices(env);
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    SeedRegistry(server_->store());
    stub_ = Service::NewStub(server_->channel());
    manager1_ = server_->CreateKey(Role::kManager, 1);
    service_ = server_->CreateKey(Role::kService);
    analyst_ = server_->CreateKey(Role::kAnalyst);
    admin_ = server_->CreateKey(Role::kAdmin);
  }

  // Calls `rpc` with `key` (none when empty); the response lands in `*out` when given.
  template <typename Req, typename Resp>
  grpc::Status Call(const std::string& key,
                    grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& request, Resp* out = nullptr) {
    grpc::ClientContext ctx;
    if (!key.empty()) TestServer::Authorize(ctx, key);
    Resp ignored;
    return (stub_.get()->*rpc)(&ctx, request, out != nullptr ? out : &ignored);
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<Stub> stub_;
  std::string manager1_, service_, analyst_, admin_;
};

}  // namespace riskcap::testing
