// The in-process test server.
#include "tests/testing/test_server.h"

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace riskcap::testing {

absl::StatusOr<std::unique_ptr<TestServer>> TestServer::Start(
    db::Backend backend, const ServiceFactory& make_services,
    std::function<void(server::ServerConfig&)> configure) {
  std::unique_ptr<TestServer> t(new TestServer());
  ASSIGN_OR_RETURN(t->scratch_, ScratchDatabase::Create(backend));
  ASSIGN_OR_RETURN(t->store_, db::Store::Open(t->scratch_->url(), 8));
  RETURN_IF_ERROR(t->store_->Migrate().status());
  t->auth_ = std::make_unique<server::Authenticator>(*t->store_);
  server::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.worker_threads = 32;
  if (configure) configure(config);
  t->batcher_ = std::make_unique<server::WriteBatcher>(
      *t->store_, /*max_batch=*/512, static_cast<size_t>(config.max_queued_writes));
  t->env_ = std::unique_ptr<server::RpcEnv>(new server::RpcEnv{*t->store_, t->clock_, *t->auth_});
  t->env_->batcher = t->batcher_.get();
  t->services_ = make_services(*t->env_);
  std::vector<grpc::Service*> raw;
  for (auto& s : t->services_) raw.push_back(s.get());
  ASSIGN_OR_RETURN(t->server_, server::GrpcServer::Start(config, raw));
  return t;
}

TestServer::~TestServer() {
  server_.reset();
  services_.clear();
  batcher_.reset();
  auth_.reset();  // writes its pending failure counts to the store
  store_.reset();
  scratch_.reset();
}

std::shared_ptr<grpc::Channel> TestServer::channel() const {
  return grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
}

std::string TestServer::CreateKey(Role role, std::optional<int64_t> manager_id) {
  std::string secret = server::NewApiKeySecret();
  ApiKey key;
  key.label = absl::StrCat("test-", EnumName(role).data());
  key.role = role;
  key.manager_id = manager_id;
  key.secret_hash = server::HashApiKeySecret(secret);
  key.created_at = clock_.Now();
  key.created_by = "test";
  auto created = store_->CreateApiKey(key);
  if (!created.ok()) throw std::runtime_error(std::string(created.status().message()));
  return secret;
}

void TestServer::Authorize(grpc::ClientContext& context, const std::string& secret) {
  context.AddMetadata("authorization", "Bearer " + secret);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
}

}  // namespace riskcap::testing
