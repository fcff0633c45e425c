// The real riskcapd over TLS and mutual TLS (certificates made by the openssl CLI), its refusal
// of plain text off loopback, and API keys revoked while it runs.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_store.h"

namespace riskcap {
namespace {

using testing::BinaryPath;
using testing::RiskcapdProcess;

// openssl configuration: extensions of the CAs and of the server and client certificates.
constexpr char kOpensslConfig[] = R"(
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_cert]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_cert]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
authorityKeyIdentifier = keyid
[client_cert]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
)";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A throwaway PKI in its own temporary directory, removed on destruction: CA "ca" signs
// "server" (127.0.0.1 / localhost) and "client"; CA "foreign_ca" signs "foreign_client".
class TestPki {
 public:
  static absl::StatusOr<std::unique_ptr<TestPki>> Create() {
    std::string pattern = (std::filesystem::temp_directory_path() / "riskcap_pki_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("mkdtemp failed");
    std::unique_ptr<TestPki> pki(new TestPki(pattern));
    std::ofstream(pki->Path("openssl.cnf")) << kOpensslConfig;
    for (absl::Status st : {pki->MakeCa("ca"), pki->MakeCa("foreign_ca"),
                            pki->MakeLeaf("server", "ca", "server_cert", 2),
                            pki->MakeLeaf("client", "ca", "client_cert", 3),
                            pki->MakeLeaf("foreign_client", "foreign_ca", "client_cert", 4)}) {
      if (!st.ok()) return st;
    }
    return pki;
  }
  ~TestPki() { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& file) const { return dir_ + "/" + file; }
  std::string Pem(const std::string& file) const { return ReadFile(Path(file)); }

 private:
  explicit TestPki(std::string dir) : dir_(std::move(dir)) {}

  absl::Status Openssl(std::vector<std::string> args) const {
    args.insert(args.begin(), "/usr/bin/openssl");
    std::string err;
    auto result = testing::RunCommand(args, {}, &err);
    if (!result.ok()) return result.status();
    if (result->first != 0) {
      return absl::InternalError(absl::StrCat("openssl ", args[1], " failed: ", err));
    }
    return absl::OkStatus();
  }

  absl::Status MakeCa(const std::string& name) const {
    return Openssl({"req", "-config", Path("openssl.cnf"), "-x509", "-extensions", "ca_cert",
                    "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", Path(name + ".key"), "-out", Path(name + ".pem"), "-days", "2",
                    "-subj", "/CN=riskcap test " + name});
  }

  absl::Status MakeLeaf(const std::string& name, const std::string& ca,
                        const std::string& extensions, int serial) const {
    absl::Status st = Openssl({"req", "-config", Path("openssl.cnf"), "-new", "-newkey", "ec",
                               "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                               Path(name + ".key"), "-out", Path(name + ".csr"), "-subj",
                               name == "server" ? "/CN=localhost" : "/CN=riskcap " + name});
    if (!st.ok()) return st;
    return Openssl({"x509", "-req", "-in", Path(name + ".csr"), "-CA", Path(ca + ".pem"),
                    "-CAkey", Path(ca + ".key"), "-set_serial", std::to_string(serial), "-days",
                    "2", "-extfile", Path("openssl.cnf"), "-extensions", extensions, "-out",
                    Path(name + ".pem")});
  }

  std::string dir_;
};

grpc::SslCredentialsOptions TrustOnly(const std::string& root_pem) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = root_pem;
  return options;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pki = TestPki::Create();
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::move(*pki);
    auto prepared = testing::PrepareDaemonStore(db::Backend::kSqlite, "tls-test");
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    scratch_ = std::move(prepared->scratch);
    store_ = std::move(prepared->store);
    secret_ = prepared->secret;
    key_id_ = prepared->key_id;
  }

  // Starts riskcapd with TLS (and mutual TLS when `client_ca`) on a port it picks and waits
  // until it answers health checks through a channel made with `probe`.
  void StartTls(bool client_ca, const grpc::SslCredentialsOptions& probe) {
    RiskcapdProcess::Options options = {
        .env = {{"RISKCAP_DB", scratch_->url()},
                {"RISKCAP_TLS_CERT", pki_->Path("server.pem")},
                {"RISKCAP_TLS_KEY", pki_->Path("server.key")}},
        .probe_credentials = grpc::SslCredentials(probe)};
    if (client_ca) options.env["RISKCAP_TLS_CLIENT_CA"] = pki_->Path("ca.pem");
    auto daemon = RiskcapdProcess::Start(std::move(options));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    address_ = daemon_->address();
  }

  std::shared_ptr<grpc::Channel> Channel(const grpc::SslCredentialsOptions& options) const {
    return grpc::CreateChannel(address_, grpc::SslCredentials(options));
  }

  // A client with the certificate and key `name` (.pem/.key) that trusts "ca".
  grpc::SslCredentialsOptions ClientCert(const std::string& name) const {
    grpc::SslCredentialsOptions options = TrustOnly(pki_->Pem("ca.pem"));
    options.pem_cert_chain = pki_->Pem(name + ".pem");
    options.pem_private_key = pki_->Pem(name + ".key");
    return options;
  }

  grpc::Status Submit(const std::shared_ptr<grpc::Channel>& channel, const std::string& request_id,
                      v1::SubmissionReceipt* receipt) const {
    v1::SubmitMarginRequest request;
    request.set_request_id(request_id);
    request.set_fund_id(101);
    request.set_reference_date("2025-06-30");
    request.set_local_margin("1500000.25");
    request.set_offshore_margin("250000");
    request.set_methodology("Historical VaR 99%, 10-day horizon");
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + secret_);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return v1::MarginService::NewStub(channel)->SubmitMargin(&ctx, request, receipt);
  }

  std::unique_ptr<TestPki> pki_;
  std::unique_ptr<testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Store> store_;
  std::string secret_;
  int64_t key_id_ = 0;
  std::unique_ptr<RiskcapdProcess> daemon_;  // killed on destruction, before the store goes
  std::string address_;
};

TEST_F(TlsTest, ClientTrustingTheCaSubmitsAMarginReport) {
  ASSERT_NO_FATAL_FAILURE(StartTls(false, TrustOnly(pki_->Pem("ca.pem"))));
  v1::SubmissionReceipt receipt;
  grpc::Status st = Submit(Channel(TrustOnly(pki_->Pem("ca.pem"))), "tls-1", &receipt);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  EXPECT_GT(receipt.submission_id(), 0);
  auto stored = store_->GetSubmission(receipt.submission_id());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->content_hash, receipt.content_hash());
  EXPECT_NE(daemon_->Stderr().find("tls=on"), std::string::npos);
}

TEST_F(TlsTest, PlainTextAndUntrustingClientsAreRefused) {
  ASSERT_NO_FATAL_FAILURE(StartTls(false, TrustOnly(pki_->Pem("ca.pem"))));
  v1::SubmissionReceipt receipt;
  auto plain = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  EXPECT_EQ(Submit(plain, "plain-1", &receipt).error_code(), grpc::StatusCode::UNAVAILABLE);
  auto untrusting = Channel(TrustOnly(pki_->Pem("foreign_ca.pem")));
  EXPECT_EQ(Submit(untrusting, "foreign-1", &receipt).error_code(), grpc::StatusCode::UNAVAILABLE);
  auto stored = store_->ListSubmissions({}, {});
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(stored->empty());
}

TEST_F(TlsTest, MutualTlsAcceptsOnlyClientCertificatesFromTheClientCa) {
  ASSERT_NO_FATAL_FAILURE(StartTls(true, ClientCert("client")));
  v1::SubmissionReceipt receipt;
  grpc::Status signed_by_ca = Submit(Channel(ClientCert("client")), "mtls-1", &receipt);
  EXPECT_TRUE(signed_by_ca.ok()) << signed_by_ca.error_code() << " "
                                 << signed_by_ca.error_message();
  grpc::Status no_cert = Submit(Channel(TrustOnly(pki_->Pem("ca.pem"))), "mtls-2", &receipt);
  EXPECT_EQ(no_cert.error_code(), grpc::StatusCode::UNAVAILABLE) << no_cert.error_message();
  grpc::Status foreign = Submit(Channel(ClientCert("foreign_client")), "mtls-3", &receipt);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::UNAVAILABLE) << foreign.error_message();
}

// The test's store is another process's view of the database, like a second riskcapd or
// `riskcapd keys`: riskcapd caches keys, so such a revocation shows within db::Store::kLookupTtl (one
// made through riskcapd's own AdminService shows at once: admin_service_test.cc).
TEST_F(TlsTest, KeyRevokedByAnotherProcessIsRefusedWithinTheCacheTtl) {
  ASSERT_NO_FATAL_FAILURE(StartTls(false, TrustOnly(pki_->Pem("ca.pem"))));
  auto channel = Channel(TrustOnly(pki_->Pem("ca.pem")));
  v1::SubmissionReceipt receipt;
  grpc::Status before = Submit(channel, "revoke-1", &receipt);
  ASSERT_TRUE(before.ok()) << before.error_message();
  ASSERT_TRUE(store_->RevokeApiKey(key_id_, absl::Now()).ok());
  absl::Time revoked = absl::Now();
  grpc::Status after;
  int attempt = 0;
  do {
    if (attempt > 0) absl::SleepFor(absl::Milliseconds(50));
    after = Submit(channel, absl::StrCat("revoke-", 2 + attempt++), &receipt);
  } while (after.ok() && absl::Now() - revoked < db::Store::kLookupTtl + absl::Milliseconds(500));
  EXPECT_EQ(after.error_code(), grpc::StatusCode::UNAUTHENTICATED) << after.error_message();
  EXPECT_NE(after.error_message().find("revoked"), std::string::npos) << after.error_message();
}

TEST(TlsConfig, PlainTextOnNonLoopbackAddressExitsNamingTheFlag) {
  std::string err;
  auto result = testing::RunCommand({BinaryPath("server/riskcapd")},
                                    {{"RISKCAP_LISTEN", "0.0.0.0:0"},
                                     {"RISKCAP_DB", "sqlite::memory:"},
                                     {"RISKCAP_ALLOW_INSECURE_REMOTE", "false"}},
                                    &err);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first, 2) << err;
  EXPECT_NE(err.find("--allow-insecure-remote"), std::string::npos) << err;
}

}  // namespace
}  // namespace riskcap
