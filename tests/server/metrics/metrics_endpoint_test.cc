// Tests server/metrics/metrics_endpoint.cc: GET /metrics serves the registry's exposition with
// the text format's content type; other paths and methods are not served; a busy port is an
// error naming the address.
#include "server/metrics/metrics_endpoint.h"

#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "server/metrics/exposition.h"

namespace riskcap::server::metrics {
namespace {

using ::testing::HasSubstr;

int PortOf(const std::string& address) {
  int port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port)) << address;
  return port;
}

TEST(MetricsEndpoint, ServesTheRegistryOnGetMetricsOnly) {
  Registry registry;
  registry.AddCounter("t_calls_total", "Calls.", {"method"}).With({"A/B"}).Increment(4);
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", registry);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  httplib::Client client("127.0.0.1", PortOf((*endpoint)->address()));

  auto res = client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), kExpositionContentType);
  EXPECT_THAT(res->body, HasSubstr("t_calls_total{method=\"A/B\"} 4\n"));

  auto other = client.Get("/");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  auto post = client.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_NE(post->status, 200);
}

TEST(MetricsEndpoint, BusyPortIsUnavailableNamingTheAddress) {
  Registry registry;
  auto first = MetricsEndpoint::Start("127.0.0.1:0", registry);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = MetricsEndpoint::Start((*first)->address(), registry);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr((*first)->address()));
}

}  // namespace
}  // namespace riskcap::server::metrics
