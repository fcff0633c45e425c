// `reads`: seeds a store with --rows synthetic rows through its bulk writers (not the API), serves
// it from an in-process riskcap server, and times every List RPC's first page and a page 1,000
// rows deep, and GetRiskCapitalSummary, through the real gRPC client.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "bench/latency_histogram.h"
#include "bench/read_calls.h"
#include "bench/scenario.h"
#include "core/clock.h"
#include "core/status_macros.h"
#include "db/store.h"
#include "db/synthetic_rows.h"
#include "server/rpc/auth.h"
#include "server/rpc/grpc_server.h"
#include "server/rpc/rpc.h"
#include "server/rpc/service_set.h"

namespace riskcap::bench {
namespace {

struct ReadsOptions {
  int64_t rows = 10'000;
  std::string store;  // empty: a SQLite file of its own, removed afterwards
  int samples = 200;
  int page_size = 100;
  int64_t depth = 1'000;
  bool seeded = false;  // --store already holds an earlier run's seed of --rows rows
};

// Seeding a million rows into each table outlasts the store's default statement timeout on a
// loaded machine; the reads themselves are timed by the benchmark, not bounded by it.
constexpr absl::Duration kSeedStatementTimeout = absl::Minutes(30);

// The in-process server over a seeded store, and a key of each role the calls need.
struct Served {
  std::unique_ptr<db::Store> store;
  SystemClock clock;
  std::unique_ptr<server::Authenticator> auth;
  std::unique_ptr<server::RpcEnv> env;
  std::vector<std::unique_ptr<grpc::Service>> services;
  std::unique_ptr<server::GrpcServer> server;
  std::string analyst, admin;
  ~Served() {
    server.reset();
    services.clear();
    auth.reset();
  }
};

absl::StatusOr<std::string> CreateKey(db::Store& store, Role role) {
  std::string secret = server::NewApiKeySecret();
  ApiKey key;
  key.label = absl::StrCat("bench-", EnumName(role).data());
  key.role = role;
  key.secret_hash = server::HashApiKeySecret(secret);
  key.created_at = absl::Now();
  key.created_by = "riskcap_bench";
  RETURN_IF_ERROR(store.CreateApiKey(key).status());
  return secret;
}

absl::Status Serve(Served& s) {
  s.auth = std::make_unique<server::Authenticator>(*s.store);
  s.env = std::unique_ptr<server::RpcEnv>(new server::RpcEnv{*s.store, s.clock, *s.auth});
  s.services = server::MakeServices(*s.env);
  std::vector<grpc::Service*> raw;
  for (auto& service : s.services) raw.push_back(service.get());
  server::ServerConfig config;
  config.listen = "127.0.0.1:0";
  ASSIGN_OR_RETURN(s.server, server::GrpcServer::Start(config, raw));
  ASSIGN_OR_RETURN(s.analyst, CreateKey(*s.store, Role::kAnalyst));
  ASSIGN_OR_RETURN(s.admin, CreateKey(*s.store, Role::kAdmin));
  return absl::OkStatus();
}

// `samples` calls of `call` from `token`; a failed call fails the measurement.
absl::StatusOr<LatencyHistogram*> Time(const ReadCall& call, const std::string& token,
                                       const ReadsOptions& o, LatencyHistogram& into) {
  for (int i = 0; i < o.samples; ++i) {
    const auto start = std::chrono::steady_clock::now();
    RETURN_IF_ERROR(call.call(token, o.page_size).status());
    into.Record(std::chrono::steady_clock::now() - start);
  }
  return &into;
}

// The token `depth` rows into the listing (one call of that page size); "" when it is shorter.
absl::StatusOr<std::string> DeepToken(const ReadCall& call, int64_t depth) {
  return call.call("", static_cast<int>(depth));
}

absl::Status Measure(const ReadsOptions& o, const std::string& backend,
                     const std::vector<ReadCall>& calls) {
  for (const ReadCall& call : calls) {
    LatencyHistogram first, deep;
    RETURN_IF_ERROR(Time(call, "", o, first).status());
    std::string line = absl::StrFormat(
        "reads backend=%s rows=%d rpc=%s filter=%s first_p50_ms=%.2f first_p99_ms=%.2f", backend,
        o.rows, call.name, call.filter, first.PercentileMs(0.5), first.PercentileMs(0.99));
    ASSIGN_OR_RETURN(std::string token, DeepToken(call, o.depth));
    if (!token.empty()) {
      RETURN_IF_ERROR(Time(call, token, o, deep).status());
      absl::StrAppendFormat(&line, " deep_p50_ms=%.2f deep_p99_ms=%.2f", deep.PercentileMs(0.5),
                            deep.PercentileMs(0.99));
    } else {
      absl::StrAppend(&line, " deep=none");  // fewer rows than the depth (or not paged)
    }
    std::cout << line << std::endl;
  }
  return absl::OkStatus();
}

int RunReads(const ReadsOptions& o) {
  std::string url = o.store;
  std::string scratch;
  if (url.empty()) {
    scratch = (std::filesystem::temp_directory_path() /
               absl::StrCat("riskcap-reads-", getpid(), ".db")).string();
    url = "sqlite:" + scratch;
  }
  auto served = std::make_unique<Served>();
  Served& s = *served;
  auto opened = db::Store::Open(url, 8, {.statement = kSeedStatementTimeout});
  absl::Status st = opened.status();
  if (st.ok()) s.store = std::move(*opened);
  if (st.ok()) st = s.store->Migrate().status();
  db::SyntheticCounts counts{.rows = o.rows, .funds = std::max<int64_t>(1, o.rows / 10),
                             .managers = std::max<int64_t>(4, o.rows / 1000)};
  const auto seed_start = std::chrono::steady_clock::now();
  if (st.ok() && !o.seeded) st = db::SeedSyntheticRows(*s.store, counts);
  const double seed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - seed_start).count();
  if (st.ok()) st = Serve(s);
  if (!st.ok()) {
    std::cerr << "reads: setup failed: " << st << "\n";
    served.reset();
    if (!scratch.empty()) std::filesystem::remove(scratch);
    return kExitSetupFailed;
  }
  const std::string backend =
      s.store->backend() == db::Backend::kPostgresql ? "postgresql" : "sqlite";
  if (!o.seeded) {
    std::cerr << absl::StrFormat("reads: seeded %d rows, %d funds, %d managers in %.1f s\n",
                                 o.rows, counts.funds, counts.managers, seed_seconds);
  }
  auto channel = grpc::CreateChannel(s.server->address(), grpc::InsecureChannelCredentials());
  st = Measure(o, backend, ReadCalls(channel, s.analyst, s.admin));
  served.reset();  // stops the server and closes the store before its file goes
  if (!scratch.empty()) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(scratch + suffix);
  }
  if (!st.ok()) {
    std::cerr << "reads: " << st << "\n";
    return kExitRunFailed;
  }
  return kExitOk;
}

}  // namespace

Scenario AddReadsScenario(CLI::App& app) {
  auto options = std::make_shared<ReadsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "reads", "seeds a store with synthetic rows, then times every List RPC's first page and a "
               "page --depth rows deep, and GetRiskCapitalSummary, on an in-process server");
  cmd->add_option("--rows", options->rows,
                  "audit records, findings and submissions to seed (funds: rows/10)")
      ->check(CLI::Range(int64_t{10}, int64_t{10'000'000}))
      ->capture_default_str();
  cmd->add_option("--store", options->store,
                  "store URL to seed (must be empty); default a SQLite file of its own");
  cmd->add_flag("--seeded", options->seeded,
                "--store already holds an earlier run's seed of --rows rows: time it as it is")
      ->needs(cmd->get_option("--store"));
  cmd->add_option("--samples", options->samples, "calls timed per page")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  cmd->add_option("--page-size", options->page_size, "rows per timed page")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--depth", options->depth, "rows before the deep page")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}))
      ->capture_default_str();
  return Scenario{cmd, [options] { return RunReads(*options); }};
}

}  // namespace riskcap::bench
