// The /metrics HTTP endpoint on cpp-httplib.
#include "server/metrics/metrics_endpoint.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/metrics/exposition.h"

namespace riskcap::server::metrics {
namespace {

// A scrape is one short request; two threads serve a scraper and an operator's curl at once.
constexpr int kServerThreads = 2;

struct HostPort {
  std::string host;  // without IPv6 brackets
  int port = 0;
};

absl::StatusOr<HostPort> SplitListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  HostPort hp;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &hp.port) ||
      hp.port < 0 || hp.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("metrics address '", listen,
                                                   "' must be host:port"));
  }
  hp.host = listen.substr(0, colon);
  if (hp.host.size() >= 2 && hp.host.front() == '[' && hp.host.back() == ']') {
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  }
  return hp;
}

}  // namespace

MetricsEndpoint::MetricsEndpoint(std::unique_ptr<httplib::Server> server, std::string address)
    : server_(std::move(server)), address_(std::move(address)) {}

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& listen, const Registry& registry) {
  auto hp = SplitListen(listen);
  if (!hp.ok()) return hp.status();
  auto server = std::make_unique<httplib::Server>();
  server->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  // httplib's default sets SO_REUSEPORT, with which a second riskcapd would share the port
  // unnoticed; SO_REUSEADDR alone only allows a restart while old connections linger.
  server->set_socket_options([](auto sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server->Get("/metrics", [&registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry.Expose(), kExpositionContentType);
  });
  int port = hp->port;
  if (port == 0) {
    port = server->bind_to_any_port(hp->host);
  } else if (!server->bind_to_port(hp->host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for metrics on ", listen,
                                               ": address in use or not local"));
  }
  const bool v6 = hp->host.find(':') != std::string::npos;
  std::string address = v6 ? absl::StrCat("[", hp->host, "]:", port)
                           : absl::StrCat(hp->host, ":", port);
  std::unique_ptr<MetricsEndpoint> endpoint(
      new MetricsEndpoint(std::move(server), std::move(address)));
  httplib::Server* raw = endpoint->server_.get();
  endpoint->thread_ = std::thread([raw] { raw->listen_after_bind(); });
  // stop() before the loop runs would be lost: wait until it does (it starts at once).
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!raw->is_running() && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace riskcap::server::metrics
