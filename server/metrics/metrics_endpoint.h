// The metrics endpoint: GET /metrics over plain HTTP (cpp-httplib) on its own listen address,
// apart from the gRPC port, serving a registry's text exposition. Every other path is 404.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "server/metrics/registry.h"

namespace httplib {
class Server;
}

namespace riskcap::server::metrics {

class MetricsEndpoint {
 public:
  // Binds `listen` ("host:port", "[v6]:port"; port 0 picks a free one) and serves `registry`
  // (not owned; it must outlive the endpoint) on two threads. Unavailable naming the address
  // when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(const std::string& listen,
                                                                const Registry& registry);
  ~MetricsEndpoint();  // stops serving and joins its threads
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // "host:port" actually bound.
  const std::string& address() const { return address_; }

 private:
  MetricsEndpoint(std::unique_ptr<httplib::Server> server, std::string address);

  std::unique_ptr<httplib::Server> server_;
  std::string address_;
  std::thread thread_;
};

}  // namespace riskcap::server::metrics
