// Test support: a PostgreSQL cluster of the test's own (scripts/pg-cluster), which the test may
// stop and start again to stage an outage. Never do that to the shared RISKCAP_TEST_PG_URL
// server, which other tests use at the same time.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace riskcap::testing {

class OwnPgCluster {
 public:
  // Initialises and starts a cluster in a fresh temporary directory, on a free loopback port.
  static absl::StatusOr<std::unique_ptr<OwnPgCluster>> Start();
  ~OwnPgCluster();  // stops the cluster and removes its directory

  // postgresql://... of its `riskcap` database.
  const std::string& url() const { return url_; }
  // Fast shutdown: open sessions are terminated and new connections refused.
  absl::Status Stop();
  // Starts it again on the same port (after Stop) and returns once it accepts connections.
  absl::Status Restart();

 private:
  OwnPgCluster(std::string dir, std::string url) : dir_(std::move(dir)), url_(std::move(url)) {}
  absl::Status Run(const std::string& command, std::string* out = nullptr);
  std::string dir_;
  std::string url_;
};

}  // namespace riskcap::testing
