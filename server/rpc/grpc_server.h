// Builds and runs the gRPC server: credentials, limits, health checking and reflection around
// the services the caller registers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/status/statusor.h"
#include "server/daemon/config.h"

namespace riskcap::server {

class GrpcServer {
 public:
  // Binds `config.listen` (port 0 picks a free port) and starts serving `services` (not owned;
  // they must outlive the server) plus grpc.health.v1 and reflection. Every service is reported
  // SERVING (overall and under each of `health_names`). Fails, rather than sharing the port,
  // when the address is busy.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const ServerConfig& config, const std::vector<grpc::Service*>& services,
      const std::vector<std::string>& health_names = {});
  ~GrpcServer();

  int port() const { return port_; }
  // "host:port" actually bound.
  std::string address() const;
  // grpc.health.v1's statuses, e.g. for the store health monitor (server/rpc/store_health.h).
  grpc::HealthCheckServiceInterface* health() const { return server_->GetHealthCheckService(); }

  // Stops accepting calls, lets in-flight calls finish until the grace period ends, then cancels
  // the rest. Idempotent; safe to call from any thread.
  void Shutdown(absl::Duration grace);
  // Blocks until the server has shut down.
  void Wait();

 private:
  GrpcServer(std::unique_ptr<grpc::Server> server, int port, std::string host)
      : server_(std::move(server)), port_(port), host_(std::move(host)) {}
  std::unique_ptr<grpc::Server> server_;
  int port_;
  std::string host_;
};

// Server credentials for `config`: TLS or mutual TLS from PEM files, else insecure.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerConfig& config);

}  // namespace riskcap::server
