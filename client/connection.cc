// Channel, credentials and per-call context for the riskcap CLI.
#include "client/connection.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/errors.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"

namespace riskcap::client {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, std::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", AbslView(flag), " file '", path,
                                                   "' (a PEM file is expected)"));
  }
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials(const ConnectionOptions& o) {
  if (o.tls_ca.empty() && o.tls_cert.empty() && o.tls_key.empty()) {
    return grpc::InsecureChannelCredentials();
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together: both are needed for mutual TLS");
  }
  grpc::SslCredentialsOptions ssl;
  if (!o.tls_ca.empty()) {
    ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPem(o.tls_ca, "--tls-ca"));
  }
  if (!o.tls_cert.empty()) {
    ASSIGN_OR_RETURN(ssl.pem_cert_chain, ReadPem(o.tls_cert, "--tls-cert"));
    ASSIGN_OR_RETURN(ssl.pem_private_key, ReadPem(o.tls_key, "--tls-key"));
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace

void AddConnectionFlags(CLI::App& app, ConnectionOptions* o) {
  const std::string group = "Connection";
  app.add_option("--server", o->server, "riskcapd address, host:port")
      ->envname("RISKCAP_SERVER")
      ->capture_default_str()
      ->group(group);
  app.add_option("--token", o->token, "API key (bearer token); prefer the environment variable")
      ->envname("RISKCAP_TOKEN")
      ->group(group);
  app.add_option("--tls-ca", o->tls_ca, "PEM CA certificate: use TLS and verify the server")
      ->envname("RISKCAP_TLS_CA")
      ->group(group);
  app.add_option("--tls-cert", o->tls_cert, "PEM client certificate for mutual TLS")
      ->envname("RISKCAP_TLS_CERT")
      ->group(group);
  app.add_option("--tls-key", o->tls_key, "PEM private key of --tls-cert")
      ->envname("RISKCAP_TLS_KEY")
      ->group(group);
  app.add_option("--tls-server-name", o->tls_server_name,
                 "name to verify in the server certificate when it is not the --server host")
      ->envname("RISKCAP_TLS_SERVER_NAME")
      ->group(group);
  app.add_option("--timeout", o->timeout_seconds, "deadline of each call, in seconds")
      ->envname("RISKCAP_TIMEOUT")
      ->check(CLI::PositiveNumber)
      ->capture_default_str()
      ->group(group);
}

absl::StatusOr<Connection> Connection::Open(const ConnectionOptions& options) {
  ASSIGN_OR_RETURN(auto credentials, Credentials(options));
  grpc::ChannelArguments args;
  if (!options.tls_server_name.empty()) args.SetSslTargetNameOverride(options.tls_server_name);
  return Connection(options, grpc::CreateCustomChannel(options.server, credentials, args));
}

void Connection::Prepare(grpc::ClientContext& context) const {
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(options_.timeout_seconds));
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  PrepareStream(context);
}

void Connection::PrepareStream(grpc::ClientContext& context) const {
  if (!options_.token.empty())
    context.AddMetadata("authorization", absl::StrCat("Bearer ", options_.token));
}

absl::Status Connection::Check(const grpc::Status& status) const {
  absl::Status result = FromGrpcStatus(status);
  switch (result.code()) {
    case absl::StatusCode::kUnauthenticated:
      if (options_.token.empty())
        return WithHint(result, "no API key: set RISKCAP_TOKEN or --token");
      return result;
    case absl::StatusCode::kUnavailable:
      return WithHint(result, absl::StrCat("is riskcapd running at ", options_.server,
                                           "? set RISKCAP_SERVER or --server"));
    case absl::StatusCode::kUnimplemented:
      return WithHint(result, absl::StrCat("riskcapd at ", options_.server,
                                           " does not serve this call; is it an older version?"));
    case absl::StatusCode::kDeadlineExceeded:
      return WithHint(result, absl::StrFormat("no answer within %gs; raise --timeout",
                                              options_.timeout_seconds));
    default:
      return result;
  }
}

}  // namespace riskcap::client
