// riskcapd commands: serving, migrating, backing up, and offline administration.
#include "server/daemon/daemon.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/logger.h"
#include "core/status_macros.h"
#include "db/store.h"
#include "server/daemon/audit_command.h"
#include "server/admin/audit_sealer.h"
#include "server/admin/audit_signing_key.h"
#include "server/daemon/backup_command.h"
#include "server/daemon/config.h"
#include "server/delivery/delivery_worker.h"
#include "server/findings/finding_notifier.h"
#include "server/rpc/grpc_server.h"
#include "server/jobs/job_runner.h"
#include "server/jobs/job_set.h"
#include "server/admin/keys_command.h"
#include "server/metrics/metrics_endpoint.h"
#include "server/metrics/server_metrics.h"
#include "server/rpc/rpc.h"
#include "server/rpc/service_set.h"
#include "server/rpc/store_health.h"
#include "server/rpc/stream_limits.h"
#include "server/rpc/write_batcher.h"

namespace riskcap::server {
namespace {

constexpr int kExitConfig = 2;
constexpr int kExitStore = 3;
constexpr int kExitListen = 4;

db::SessionTimeouts StoreTimeouts(const ServerConfig& config) {
  return {.statement = absl::Seconds(config.db_statement_timeout_seconds),
          .lock = absl::Seconds(config.db_lock_timeout_seconds)};
}

absl::StatusOr<std::unique_ptr<db::Store>> OpenMigratedStore(const ServerConfig& config) {
  ASSIGN_OR_RETURN(auto store,
                   db::Store::Open(config.db_url, config.db_pool_size, StoreTimeouts(config)));
  ASSIGN_OR_RETURN(int version, store->Migrate());
  Log(LogLevel::kInfo, "store ready",
      {{"backend", db::BackendName(store->backend())},
       {"store", db::RedactStoreUrl(config.db_url)},
       {"schema_version", version}});
  return store;
}

// Starts the metrics endpoint on config.metrics_listen (already validated), reading the store's
// pool, the batcher's queue and the sealer's chain positions at each scrape.
absl::StatusOr<std::unique_ptr<metrics::MetricsEndpoint>> StartMetrics(
    const ServerConfig& config, const db::Store& store, const WriteBatcher& batcher,
    const AuditSealer& sealer, metrics::ServerMetrics& server_metrics) {
  ASSIGN_OR_RETURN(std::string address, MetricsListenAddress(config.metrics_listen));
  server_metrics.WatchStore(store);
  server_metrics.WatchWriteQueue(batcher);
  server_metrics.WatchAuditChain(sealer);
  ASSIGN_OR_RETURN(auto endpoint,
                   metrics::MetricsEndpoint::Start(address, server_metrics.registry()));
  Log(LogLevel::kInfo, "metrics listening", {{"address", endpoint->address()}});
  return endpoint;
}

// Blocks SIGINT/SIGTERM in every thread (call before any thread starts) and returns the set.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int Serve(const ServerConfig& config) {
  sigset_t signals = BlockShutdownSignals();
  // Bad TLS material is a configuration error: report it before touching the store.
  if (auto credentials = MakeServerCredentials(config); !credentials.ok()) {
    Log(LogLevel::kError, "bad TLS configuration", {{"error", credentials.status().ToString()}});
    return kExitConfig;
  }
  auto store = OpenMigratedStore(config);
  if (!store.ok()) {
    Log(LogLevel::kError, "cannot open store",
        {{"error", db::RedactStoreUrl(store.status().ToString())}});
    return kExitStore;
  }
  SystemClock clock;
  std::unique_ptr<AuditSigningKey> signing_key;
  if (!config.signing_key_file.empty()) {
    auto key = AuditSigningKey::Load(config.signing_key_file);
    if (!key.ok()) {
      Log(LogLevel::kError, "bad signing key", {{"error", key.status().ToString()}});
      return kExitConfig;
    }
    signing_key = std::move(*key);
  }
  AuditSealer sealer(**store, clock, signing_key.get(),
                     {.seal_interval = absl::Milliseconds(config.audit_seal_interval_ms),
                      .checkpoint_interval =
                          absl::Seconds(config.audit_checkpoint_interval_seconds)});
  std::unique_ptr<SmtpSender> smtp;
  if (!config.delivery.smtp_url.empty()) {
    auto sender = SmtpSender::Create(config.delivery,
                                     absl::Seconds(config.delivery.lease_seconds) / 2);
    if (!sender.ok()) {
      Log(LogLevel::kError, "bad SMTP configuration", {{"error", sender.status().ToString()}});
      return kExitConfig;
    }
    smtp = std::make_unique<SmtpSender>(std::move(*sender));
  }
  Authenticator auth(**store);
  // Only when the endpoint is on: with metrics off nothing is counted at all.
  std::unique_ptr<metrics::ServerMetrics> server_metrics;
  if (!config.metrics_listen.empty()) {
    server_metrics = std::make_unique<metrics::ServerMetrics>(kServerVersion);
  }
  WriteBatcher batcher(**store, /*max_batch=*/512, static_cast<size_t>(config.max_queued_writes),
                       server_metrics != nullptr ? &server_metrics->WriteBatchSizes() : nullptr);
  RpcEnv env{**store, clock, auth};
  env.batcher = &batcher;
  env.metrics = server_metrics.get();
  env.audit_sealer = &sealer;
  FindingNotifier findings;  // wakes WatchFindings streams when a job raises a finding
  env.findings = &findings;
  StreamLimits streams(StreamCapsOf(config));  // caps open streams and their idle time
  env.streams = &streams;
  jobs::JobRunner runner(**store, clock, env.rules,
                         jobs::MakeJobSet(config, signing_key ? signing_key->public_key() : ""),
                         {.workers = config.job_workers,
                          .abandon_after = config.job_abandon_after,
                          .on_finding =
                              [&findings, m = server_metrics.get()](const Finding& finding, bool) {
                                findings.Notify(finding);
                                if (m != nullptr && finding.rule == "QUARANTINED_FEED") {
                                  m->RecordQuarantine("job");
                                }
                              },
                          .finding_delivery = config.delivery.notify_critical_findings
                                                  ? FindingDelivery::kCritical
                                                  : FindingDelivery::kNone,
                          .on_finished =
                              [m = server_metrics.get()](const JobRun& run) {
                                if (m != nullptr) m->RecordJobRun(run);
                              },
                          .earliest_reference_date = config.earliest_reference_date});
  env.jobs = &runner;
  // Destroyed before what its scrapes read (store, batcher, sealer): declared after them.
  std::unique_ptr<metrics::MetricsEndpoint> metrics_endpoint;
  if (server_metrics != nullptr) {
    auto started = StartMetrics(config, **store, batcher, sealer, *server_metrics);
    if (!started.ok()) {
      Log(LogLevel::kError, "cannot serve metrics", {{"error", started.status().ToString()}});
      return kExitListen;
    }
    metrics_endpoint = std::move(*started);
  }
  std::vector<std::unique_ptr<grpc::Service>> owned = MakeServices(env);
  std::vector<grpc::Service*> services;
  for (auto& s : owned) services.push_back(s.get());
  auto server = GrpcServer::Start(config, services, ServiceNames());
  if (!server.ok()) {
    Log(LogLevel::kError, "cannot start server", {{"error", StdView(server.status().ToString())}});
    return kExitListen;
  }
  Log(LogLevel::kInfo, "riskcapd listening",
      {{"address", (*server)->address()}, {"tls", config.tls_cert.empty()             ? "off"
                 : config.tls_client_ca.empty() ? "on"
                                                : "mutual"}});
  DeliveryWorker deliveries(**store, clock, config.delivery, std::move(smtp),
                            DeliveryOwnerName(), server_metrics.get());
  deliveries.Start();
  // From now on grpc.health.v1 follows the store: NOT_SERVING while it does not answer.
  std::optional<StoreHealthMonitor> store_health;
  store_health.emplace([&store] { return (*store)->CheckReachable(); },
                       [health = (*server)->health(), m = server_metrics.get()](bool up) {
                         health->SetServingStatus(up);
                         if (m != nullptr) m->SetStoreUp(up);
                       });
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    Log(LogLevel::kInfo, "shutting down", {{"signal", sig}});
    // Jobs first: running ones stop at their next checkpoint and watchers see their final state.
    runner.Shutdown(config.shutdown_grace);
    Log(LogLevel::kInfo, "job runner stopped");
    deliveries.Stop();  // after the delivery in hand; the rest wait in the outbox
    findings.Shutdown();  // ends WatchFindings streams, which gRPC would otherwise wait for
    (*server)->Shutdown(config.shutdown_grace);
  });
  (*server)->Wait();
  waiter.join();
  store_health.reset();  // before the health service it reports to goes away
  server->reset();
  Log(LogLevel::kInfo, "riskcapd stopped");
  return 0;
}

int Migrate(const ServerConfig& config) {
  auto store = OpenMigratedStore(config);
  if (!store.ok()) {
    std::cerr << "riskcapd migrate: " << db::RedactStoreUrl(store.status().ToString()) << "\n";
    return kExitStore;
  }
  return 0;
}

// `riskcapd keys create`: prints only the new secret on stdout, so scripts can capture it.
int CreateKey(const ServerConfig& config, const KeysCommand& keys) {
  auto store = OpenMigratedStore(config);
  if (!store.ok()) {
    std::cerr << "riskcapd keys create: " << db::RedactStoreUrl(store.status().ToString())
              << "\n";
    return kExitStore;
  }
  return RunKeysCreate(keys, **store, absl::Now(), std::cout, std::cerr);
}

// `riskcapd backup`: reads the store as it is (it must be at the current schema version; the
// command never migrates the source) and prints the verified report on stdout.
int Backup(const ServerConfig& config, const BackupCommand& command) {
  auto store = db::Store::Open(config.db_url, 2, StoreTimeouts(config));
  if (!store.ok()) {
    std::cerr << "riskcapd backup: " << db::RedactStoreUrl(store.status().ToString()) << "\n";
    return kExitStore;
  }
  std::string target = command.to.empty() ? config.backup_url : command.to;
  db::BackupOptions options;
  options.replace = command.replace;
  if (!config.signing_key_file.empty()) {  // the copy's checkpoints must carry this server's key
    auto key = AuditSigningKey::Load(config.signing_key_file);
    if (!key.ok()) {
      std::cerr << "riskcapd backup: " << key.status().message() << "\n";
      return kExitConfig;
    }
    options.audit.trusted_public_key = (*key)->public_key();
  }
  return RunBackupCommand(target, **store, options, std::cout, std::cerr);
}

// `riskcapd audit verify`: the store at --db (a URL or a backup file), opened without migrating.
int VerifyAudit(const ServerConfig& config, const AuditCommand& command) {
  std::string url = StoreUrlOrFile(config.db_url);
  // Opening a SQLite file creates it: a mistyped backup path must not verify as an empty log.
  auto parsed = db::ParseStoreUrl(url);
  if (parsed.ok() && parsed->backend == db::Backend::kSqlite && !parsed->in_memory() &&
      !std::filesystem::exists(parsed->target)) {
    std::cerr << "riskcapd audit verify: no such store file: " << parsed->target << "\n";
    return kExitStore;
  }
  auto store = db::Store::Open(url, 1, StoreTimeouts(config));
  if (!store.ok()) {
    std::cerr << "riskcapd audit verify: " << db::RedactStoreUrl(store.status().ToString())
              << "\n";
    return kExitStore;
  }
  return RunAuditVerify(command, config.signing_key_file, **store, std::cout, std::cerr);
}

}  // namespace

int RunRiskcapd(int argc, char** argv) {
  CLI::App app{"riskcapd: the riskcap risk capital monitoring server.\n"
               "Serves the gRPC API (with health checking and reflection) on --listen, over the\n"
               "store at --db, migrating it first. Each setting is a flag or, when the flag is\n"
               "not given, its environment variable (env ...); RISKCAP_SOURCE_TOKEN, a secret,\n"
               "is an environment variable only. Example:\n"
               "  RISKCAP_DB=sqlite:riskcap.db riskcapd --listen 127.0.0.1:50051"};
  ConfigFlags config_flags(app);
  app.fallthrough();  // server flags may follow a subcommand: `riskcapd migrate --db URL`
  CLI::App* migrate = app.add_subcommand("migrate", "apply pending schema migrations and exit");
  KeysCommand keys;
  AddKeysCommand(app, &keys);
  BackupCommand backup;
  AddBackupCommand(app, &backup);
  AuditCommand audit;
  AddAuditCommand(app, &audit);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  ServerConfig config;
  absl::Status st = config_flags.Resolve(std::getenv, &config);
  if (st.ok()) st = ValidateConfig(config);
  if (!st.ok()) {
    std::cerr << "riskcapd: " << st.message() << "\n";
    return kExitConfig;
  }
  SetMinLogLevel(config.log_level);
  if (migrate->parsed()) return Migrate(config);
  if (keys.create->parsed()) return CreateKey(config, keys);
  if (backup.command->parsed()) return Backup(config, backup);
  if (audit.init_signing->parsed()) {
    return RunInitSigning(config.signing_key_file, std::cout, std::cerr);
  }
  if (audit.verify->parsed()) return VerifyAudit(config, audit);
  return Serve(config);
}

}  // namespace riskcap::server
