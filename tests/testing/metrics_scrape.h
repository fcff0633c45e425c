// Test support: reading the real riskcapd's metrics endpoint (docs/operations.md, "Metrics") — the
// address it logs, a scrape over HTTP, and one sample's value from the exposition.
#pragma once

#include <httplib.h>

#include <string>

#include "absl/strings/numbers.h"
#include "gtest/gtest.h"

namespace riskcap::testing {

// The address riskcapd logged for its metrics endpoint ("metrics listening ... address="), or ""
// when it logged none.
inline std::string MetricsAddress(const std::string& log) {
  const size_t line = log.find("msg=\"metrics listening\"");
  if (line == std::string::npos) return "";
  const size_t start = log.find("address=", line) + 8;
  return log.substr(start, log.find_first_of(" \n", start) - start);
}

// The body of GET /metrics on the loopback `address` ("127.0.0.1:PORT"); "" with a test failure
// recorded when the request fails.
inline std::string ScrapeMetrics(const std::string& address) {
  int port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port)) << address;
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/metrics");
  EXPECT_TRUE(res) << "GET /metrics on " << address << " failed";
  if (!res) return "";
  EXPECT_EQ(res->status, 200);
  return res->body;
}

// The value of the sample `series` (a name, with its labels as exposed, e.g.
// `riskcap_deliveries_total{channel="email",state="SENT"}`) in an exposition, or -1 when absent.
inline double SampleValue(const std::string& text, const std::string& series) {
  const std::string prefix = "\n" + series + " ";
  const size_t at = text.find(prefix);
  double value = -1;
  if (at == std::string::npos) return value;
  const size_t begin = at + prefix.size();
  EXPECT_TRUE(absl::SimpleAtod(text.substr(begin, text.find('\n', begin) - begin), &value));
  return value;
}

}  // namespace riskcap::testing
