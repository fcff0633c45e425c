// Starting the real riskcapd for end-to-end tests.
#include "tests/testing/riskcapd_process.h"

#include "absl/status/status.h"
#include "core/status_macros.h"
#include "server/rpc/auth.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_probe.h"

namespace riskcap::testing {
namespace {

// The address riskcapd logs once it listens; an error if it exits or `timeout` passes first.
absl::StatusOr<std::string> WaitListening(Subprocess& proc, absl::Duration timeout) {
  constexpr char kField[] = "address=";
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    std::string log = proc.Stderr();
    size_t line = log.find("msg=\"riskcapd listening\"");
    if (line != std::string::npos) {
      size_t start = log.find(kField, line) + sizeof(kField) - 1;
      return log.substr(start, log.find_first_of(" \n", start) - start);
    }
    if (proc.Wait(absl::ZeroDuration()).ok()) return absl::AbortedError("riskcapd exited: " + log);
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError("riskcapd did not listen in time: " + proc.Stderr());
}

// Polls the health service through `channel` until it reports SERVING or `timeout` passes.
bool WaitServing(const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    auto serving = HealthServing(channel);
    if (serving.ok() && *serving) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return false;
}

}  // namespace

absl::StatusOr<DaemonStore> PrepareDaemonStore(db::Backend backend, const std::string& key_label,
                                               int pool_size) {
  ASSIGN_OR_RETURN(std::unique_ptr<ScratchDatabase> scratch, ScratchDatabase::Create(backend));
  ASSIGN_OR_RETURN(DaemonStore d, PrepareDaemonStoreAt(scratch->url(), key_label, pool_size));
  d.scratch = std::move(scratch);
  return d;
}

absl::StatusOr<DaemonStore> PrepareDaemonStoreAt(const std::string& url,
                                                 const std::string& key_label, int pool_size) {
  DaemonStore d;
  ASSIGN_OR_RETURN(d.store, db::Store::Open(url, pool_size));
  RETURN_IF_ERROR(d.store->Migrate().status());
  SeedRegistry(*d.store);
  ApiKey key;
  key.label = key_label;
  key.role = Role::kService;
  key.secret_hash = server::HashApiKeySecret(d.secret = server::NewApiKeySecret());
  key.created_at = absl::Now();
  key.created_by = "test";
  ASSIGN_OR_RETURN(ApiKey created, d.store->CreateApiKey(key));
  d.key_id = created.id;
  return d;
}

absl::StatusOr<std::string> CreateDaemonKey(DaemonStore& d, Role role,
                                            std::optional<int64_t> manager_id, int64_t* key_id) {
  std::string secret = server::NewApiKeySecret();
  ApiKey key;
  key.label = "test-key";
  key.role = role;
  key.manager_id = manager_id;
  key.secret_hash = server::HashApiKeySecret(secret);
  key.created_at = absl::Now();
  key.created_by = "test";
  ASSIGN_OR_RETURN(ApiKey created, d.store->CreateApiKey(key));
  if (key_id != nullptr) *key_id = created.id;
  return secret;
}

absl::StatusOr<std::unique_ptr<RiskcapdProcess>> RiskcapdProcess::Start(Options options) {
  options.env.emplace("RISKCAP_LISTEN", "127.0.0.1:0");
  std::vector<std::string> argv = {BinaryPath("server/riskcapd")};
  argv.insert(argv.end(), options.args.begin(), options.args.end());
  auto proc = Subprocess::Start(argv, options.env);
  if (!proc.ok()) return proc.status();
  auto address = WaitListening(**proc, options.timeout);
  if (!address.ok()) return address.status();
  auto credentials = options.probe_credentials != nullptr ? options.probe_credentials
                                                          : grpc::InsecureChannelCredentials();
  if (!WaitServing(grpc::CreateChannel(*address, credentials), options.timeout)) {
    return absl::DeadlineExceededError("riskcapd did not serve health in time: " +
                                       (*proc)->Stderr());
  }
  return std::unique_ptr<RiskcapdProcess>(new RiskcapdProcess(std::move(*proc), *address));
}

}  // namespace riskcap::testing
