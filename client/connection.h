// How the CLI reaches riskcapd: the channel (plain text, TLS or mutual TLS), the bearer token and
// the per-call deadline, from flags or RISKCAP_* environment variables.
#pragma once

#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace riskcap::client {

struct ConnectionOptions {
  std::string server = "127.0.0.1:50051";  // host:port of riskcapd
  std::string token;                       // API key secret, sent as "authorization: Bearer"
  std::string tls_ca;                      // PEM file of the CA that signed the server certificate
  std::string tls_cert;                    // PEM client certificate for mutual TLS (with tls_key)
  std::string tls_key;                     // PEM private key of tls_cert
  std::string tls_server_name;  // name to verify in the server certificate, if not the host
  double timeout_seconds = 30;  // deadline of each call
};

// Adds --server, --token, --tls-ca, --tls-cert, --tls-key, --tls-server-name and --timeout to
// `app`, each falling back to RISKCAP_SERVER, RISKCAP_TOKEN, RISKCAP_TLS_CA, RISKCAP_TLS_CERT,
// RISKCAP_TLS_KEY, RISKCAP_TLS_SERVER_NAME and RISKCAP_TIMEOUT.
void AddConnectionFlags(CLI::App& app, ConnectionOptions* options);

// A channel to riskcapd and what every call on it needs. Cheap to copy; safe for concurrent use.
class Connection {
 public:
  // TLS when any TLS file is given, plain text otherwise. InvalidArgument when a file cannot be
  // read, or only one of tls_cert and tls_key is given.
  static absl::StatusOr<Connection> Open(const ConnectionOptions& options);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Sets the call's deadline and, when a token is configured, its bearer metadata.
  void Prepare(grpc::ClientContext& context) const;
  // As Prepare without a deadline: for watch streams that stay open until the run ends or the
  // user stops them.
  void PrepareStream(grpc::ClientContext& context) const;

  // A finished call's status (FromGrpcStatus), with a hint on what to check for authentication
  // and connectivity failures.
  absl::Status Check(const grpc::Status& status) const;

  // One unary call, e.g. Call(&v1::MarginService::Stub::GetSubmission, *stub, request, &reply).
  template <typename Stub, typename Request, typename Response>
  absl::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    Stub& stub, const Request& request, Response* response) const {
    grpc::ClientContext context;
    Prepare(context);
    return Check((stub.*method)(&context, request, response));
  }

 private:
  Connection(ConnectionOptions options, std::shared_ptr<grpc::Channel> channel)
      : options_(std::move(options)), channel_(std::move(channel)) {}

  ConnectionOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace riskcap::client
