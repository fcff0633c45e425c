// Test support: the real riskcapd as a child process, started on a port it picks and ready to serve,
// over a store prepared for it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/enums.h"
#include "db/store.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {

// A scratch store for riskcapd: migrated, seeded with the shared registry (fixtures.h) and holding
// one service-role API key.
struct DaemonStore {
  std::unique_ptr<ScratchDatabase> scratch;
  std::unique_ptr<db::Store> store;  // open; reset it to leave riskcapd the only user
  std::string secret;                // of the service key
  int64_t key_id = 0;
};

// Prepares a DaemonStore on `backend` whose key is labelled `key_label`.
absl::StatusOr<DaemonStore> PrepareDaemonStore(db::Backend backend, const std::string& key_label,
                                               int pool_size = 2);
// Like PrepareDaemonStore, on the existing empty store at `url` (`scratch` stays null).
absl::StatusOr<DaemonStore> PrepareDaemonStoreAt(const std::string& url,
                                                 const std::string& key_label, int pool_size = 2);

// Adds an API key of `role` (a MANAGER key needs `manager_id`) to `d`'s store; its secret.
absl::StatusOr<std::string> CreateDaemonKey(DaemonStore& d, Role role,
                                            std::optional<int64_t> manager_id = std::nullopt,
                                            int64_t* key_id = nullptr);

// A running riskcapd. Killed (SIGKILL) on destruction if still running. Not thread-safe.
class RiskcapdProcess {
 public:
  struct Options {
    // Added to the current environment; RISKCAP_LISTEN defaults to 127.0.0.1:0.
    std::map<std::string, std::string> env;
    std::vector<std::string> args;  // after the binary path
    // How the health probe connects (insecure when null), e.g. SslCredentials for TLS.
    std::shared_ptr<grpc::ChannelCredentials> probe_credentials;
    // For each of: logging the bound address, then reporting SERVING.
    absl::Duration timeout = absl::Seconds(30);
  };

  // Starts riskcapd, reads the address it logs once bound ("riskcapd listening ... address=")
  // and polls grpc.health.v1 until SERVING. An error (with its log) if it exits or times out.
  static absl::StatusOr<std::unique_ptr<RiskcapdProcess>> Start(Options options);

  const std::string& address() const { return address_; }
  pid_t pid() const { return proc_->pid(); }
  void Signal(int signo) { proc_->Signal(signo); }
  absl::StatusOr<int> Wait(absl::Duration timeout = absl::Seconds(30)) {
    return proc_->Wait(timeout);
  }
  std::string Stdout() const { return proc_->Stdout(); }
  std::string Stderr() const { return proc_->Stderr(); }
  // Subprocess::WaitForStderr: until riskcapd has logged `text`.
  absl::Status WaitForStderr(const std::string& text, absl::Duration timeout = absl::Seconds(30)) {
    return proc_->WaitForStderr(text, timeout);
  }

 private:
  RiskcapdProcess(std::unique_ptr<Subprocess> proc, std::string address)
      : proc_(std::move(proc)), address_(std::move(address)) {}
  std::unique_ptr<Subprocess> proc_;
  std::string address_;
};

}  // namespace riskcap::testing
