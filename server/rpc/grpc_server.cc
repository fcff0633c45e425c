// gRPC server construction.
#include "server/rpc/grpc_server.h"

#include <fstream>
#include <sstream>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace riskcap::server {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " file ", path));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Parses the certificate and key and checks they belong together, so that bad TLS material is
// reported as such instead of as a failure to listen.
absl::Status CheckKeyPair(const std::string& cert_pem, const std::string& key_pem) {
  BIO* cert_bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  absl::Status status = absl::OkStatus();
  if (cert == nullptr) {
    status = absl::InvalidArgumentError("--tls-cert is not a PEM certificate");
  } else if (key == nullptr) {
    status = absl::InvalidArgumentError("--tls-key is not a PEM private key (or is encrypted)");
  } else if (X509_check_private_key(cert, key) != 1) {
    status = absl::InvalidArgumentError("--tls-key does not match the certificate in --tls-cert");
  }
  EVP_PKEY_free(key);
  X509_free(cert);
  BIO_free(key_bio);
  BIO_free(cert_bio);
  return status;
}

void ApplyLimits(const ServerConfig& config, grpc::ServerBuilder& builder) {
  // A busy port must fail loudly instead of silently sharing it with another process.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  builder.SetMaxSendMessageSize(config.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Connections do not live for ever: an idle one is closed, an old one asked to reconnect (its
  // open calls get kConnectionAgeGrace to finish), so none pins server state indefinitely.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             config.max_connection_idle_seconds * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             config.max_connection_age_seconds * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(kConnectionAgeGrace)));
  // The sync server runs each call on a pool thread; the quota caps those threads, and calls
  // beyond the cap get RESOURCE_EXHAUSTED instead of queueing without bound. Streams hold their
  // thread for long, so StreamLimits admits at most config.max_streams (<= worker_threads) of
  // them: the rest of the quota stays for unary calls.
  // Polling threads count against the same quota, and a thread stays taken briefly after its
  // call's reply (measured: with the cap at exactly workers + pollers, about 1% of calls at full
  // in-flight load were refused, and 1 in 60,000 at 1.5x), so the quota is twice the workers.
  constexpr int kMaxPollers = 2;
  grpc::ResourceQuota quota("riskcapd");
  quota.SetMaxThreads(2 * config.worker_threads + kMaxPollers);
  builder.SetResourceQuota(quota);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::NUM_CQS, 1);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 1);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, kMaxPollers);
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerConfig& config) {
  if (config.tls_cert.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.private_key, ReadFile(config.tls_key, "TLS key"));
  ASSIGN_OR_RETURN(pair.cert_chain, ReadFile(config.tls_cert, "TLS certificate"));
  RETURN_IF_ERROR(CheckKeyPair(pair.cert_chain, pair.private_key));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  if (!config.tls_client_ca.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs, ReadFile(config.tls_client_ca, "TLS client CA"));
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const ServerConfig& config, const std::vector<grpc::Service*>& services,
    const std::vector<std::string>& health_names) {
  RETURN_IF_ERROR(ValidateConfig(config));
  ASSIGN_OR_RETURN(auto credentials, MakeServerCredentials(config));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.listen, credentials, &port);
  ApplyLimits(config, builder);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen, " (address in use or invalid)"));
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  for (const std::string& name : health_names) health->SetServingStatus(name, true);
  health->SetServingStatus(true);
  std::string host = config.listen.substr(0, config.listen.rfind(':'));
  return std::unique_ptr<GrpcServer>(new GrpcServer(std::move(server), port, host));
}

GrpcServer::~GrpcServer() {
  Shutdown(absl::ZeroDuration());
  Wait();
}

std::string GrpcServer::address() const { return absl::StrCat(host_, ":", port_); }

void GrpcServer::Shutdown(absl::Duration grace) {
  server_->GetHealthCheckService()->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(grace));
}

void GrpcServer::Wait() { server_->Wait(); }

}  // namespace riskcap::server
