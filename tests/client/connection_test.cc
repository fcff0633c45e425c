// Tests for client/connection.{h,cc}: plain text, TLS and mutual TLS channels to a live server,
// the bearer token, and the hints added to failures.
#include "client/connection.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "server/margin/margin_service.h"
#include "tests/testing/test_server.h"

namespace riskcap::client {
namespace {

using ::testing::HasSubstr;

namespace fs = std::filesystem;

// A self-signed certificate and key (each acts as its own CA) under `dir`.
void MakeCertificate(const fs::path& dir, const std::string& name, const std::string& san) {
  std::string command = absl::StrCat(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=", name, " -addext ",
      "subjectAltName=", san, " -keyout ", (dir / (name + ".key")).string(), " -out ",
      (dir / (name + ".pem")).string(), " >/dev/null 2>&1");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / absl::StrCat("riskcap_tls_", getpid());
    fs::create_directories(dir_);
    MakeCertificate(dir_, "server", "IP:127.0.0.1");
    MakeCertificate(dir_, "client", "DNS:riskcap-cli");
    auto server = riskcap::testing::TestServer::Start(
        db::Backend::kSqlite,
        [](server::RpcEnv& env) {
          std::vector<std::unique_ptr<grpc::Service>> services;
          services.push_back(std::make_unique<server::MarginServiceImpl>(env));
          return services;
        },
        [this](server::ServerConfig& config) {
          config.tls_cert = Path("server.pem");
          config.tls_key = Path("server.key");
          config.tls_client_ca = Path("client.pem");
        });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    token_ = server_->CreateKey(Role::kAnalyst);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  ConnectionOptions MutualTls() const {
    ConnectionOptions o;
    o.server = server_->address();
    o.token = token_;
    o.tls_ca = Path("server.pem");
    o.tls_cert = Path("client.pem");
    o.tls_key = Path("client.key");
    o.timeout_seconds = 10;
    return o;
  }

  // ListSubmissions over a connection opened with `options`.
  absl::Status List(const ConnectionOptions& options) {
    auto connection = Connection::Open(options);
    if (!connection.ok()) return connection.status();
    auto stub = v1::MarginService::NewStub(connection->channel());
    v1::ListSubmissionsResponse response;
    return connection->Call(&v1::MarginService::Stub::ListSubmissions, *stub, {}, &response);
  }

  fs::path dir_;
  std::unique_ptr<riskcap::testing::TestServer> server_;
  std::string token_;
};

TEST_F(ConnectionTest, MutualTlsWithTokenSucceeds) { EXPECT_TRUE(List(MutualTls()).ok()); }

TEST_F(ConnectionTest, MissingTokenIsUnauthenticatedWithAHint) {
  ConnectionOptions o = MutualTls();
  o.token.clear();
  absl::Status status = List(o);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("RISKCAP_TOKEN"));
}

TEST_F(ConnectionTest, HandshakeFailuresAreUnavailableNamingTheServer) {
  ConnectionOptions no_client_cert = MutualTls();
  no_client_cert.tls_cert.clear();
  no_client_cert.tls_key.clear();
  absl::Status status = List(no_client_cert);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr(server_->address()));
  ConnectionOptions plain = MutualTls();
  plain.tls_ca = plain.tls_cert = plain.tls_key = "";
  EXPECT_EQ(List(plain).code(), absl::StatusCode::kUnavailable);
  ConnectionOptions wrong_ca = MutualTls();
  wrong_ca.tls_ca = Path("client.pem");
  EXPECT_EQ(List(wrong_ca).code(), absl::StatusCode::kUnavailable);
}

TEST_F(ConnectionTest, BadTlsFilesAreInvalidArguments) {
  ConnectionOptions half = MutualTls();
  half.tls_key.clear();
  EXPECT_THAT(Connection::Open(half).status().message(), HasSubstr("--tls-key"));
  ConnectionOptions missing = MutualTls();
  missing.tls_ca = Path("nope.pem");
  absl::Status status = Connection::Open(missing).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("--tls-ca"));
}

}  // namespace
}  // namespace riskcap::client
