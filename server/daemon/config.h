// riskcapd configuration: the ServerConfig every component receives, filled from command-line
// flags and RISKCAP_* environment variables (each setting is declared once, in
// server/daemon/config_settings.cc), and the checks across settings.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/date.h"
#include "core/logger.h"
#include "server/daemon/config_settings.h"
#include "server/delivery/delivery_config.h"
#include "server/sources/feed_limits.h"

namespace CLI {
class App;
class Option;
}

namespace riskcap::server {

// Where the data jobs read their inputs (docs/sources.md). A location is "http(s)://host:port",
// "file:/dir" or "push".
struct SourcesConfig {
  std::string default_location = "push";  // RISKCAP_SOURCE (--source)
  // RISKCAP_SOURCE_<JOB> (e.g. RISKCAP_SOURCE_POSITIONS): per-job override, keyed by job name.
  std::map<std::string, std::string> per_job;
  std::string token;  // RISKCAP_SOURCE_TOKEN: bearer token for HTTP sources (a secret: env only)
  int timeout_seconds = 30;        // RISKCAP_SOURCE_TIMEOUT_SECONDS (--source-timeout-seconds)
  int retries = 3;                 // RISKCAP_SOURCE_RETRIES (--source-retries)
  bool insecure_skip_tls_verify = false;  // RISKCAP_SOURCE_INSECURE (--source-insecure): loud
  double feed_guard_fraction = 0.5;       // RISKCAP_FEED_GUARD_FRACTION (--feed-guard-fraction)
  // RISKCAP_FEED_MAX_BYTES, RISKCAP_FEED_MAX_ROWS, RISKCAP_FEED_MAX_FIELD_BYTES (--feed-max-bytes,
  // --feed-max-rows, --feed-max-field-bytes): a payload breaking one is quarantined.
  sources::FeedLimits feed_limits;
};

// The data jobs that read a source (per-job overrides exist for these names).
inline constexpr const char* kSourcedJobs[] = {"margin_ingest", "nav_snapshot", "nav_history",
                                               "positions", "swaps"};

struct ServerConfig {
  std::string listen = "127.0.0.1:50051";  // RISKCAP_LISTEN, host:port (port 0 = any free port)
  std::string db_url = "sqlite:riskcap.db";  // RISKCAP_DB, store URL
  // RISKCAP_WORKER_THREADS: synchronous RPCs served at once. SubmitMargin is not among them: it
  // runs on the callback API and waits for its group commit without holding a thread (its queue
  // is bounded by max_queued_writes below).
  int worker_threads = 64;
  int db_pool_size = 8;           // RISKCAP_DB_POOL: database sessions
  // RISKCAP_MAX_QUEUED_WRITES: SubmitMargin calls (and their audit records) waiting for a group
  // commit; more are answered RESOURCE_EXHAUSTED (SubmitMargin holds no thread while it waits).
  int max_queued_writes = 4096;
  int max_message_bytes = 16 << 20;  // RISKCAP_MAX_MESSAGE_BYTES
  std::string tls_cert;           // RISKCAP_TLS_CERT: PEM server certificate (enables TLS)
  std::string tls_key;            // RISKCAP_TLS_KEY: PEM private key
  std::string tls_client_ca;      // RISKCAP_TLS_CLIENT_CA: PEM CA; when set, clients need certs
  bool allow_insecure_remote = false;  // RISKCAP_ALLOW_INSECURE_REMOTE: plain text off loopback
  absl::Duration shutdown_grace = absl::Seconds(10);  // RISKCAP_SHUTDOWN_GRACE_SECONDS
  // RISKCAP_BACKUP_URL: default target of the backup job and `riskcapd backup` (store URL).
  std::string backup_url;
  // RISKCAP_BACKUP_DIR: the directory in which an ADMIN may name backup files through the API
  // (`job run backup --param target=NAME`); empty: only RISKCAP_BACKUP_URL (db/backup_target.h).
  std::string backup_dir;
  int job_workers = 2;  // RISKCAP_JOB_WORKERS: job runs executed at once
  // RISKCAP_JOB_ABANDON_SECONDS: a QUEUED or RUNNING run whose server sent no heartbeat for this
  // long is failed "abandoned: server stopped" (its server died).
  absl::Duration job_abandon_after = absl::Seconds(30);
  // RISKCAP_EARLIEST_REFERENCE_DATE (--earliest-reference-date): no job, pipeline or backfill
  // runs for a date before it (nor after today).
  Date earliest_reference_date = Date(2000, 1, 1);
  SourcesConfig sources;  // feeds: data-job sources
  // Streams and connections (docs/security.md). Each open stream holds a worker thread, so
  // max_streams may not exceed worker_threads: the rest stay for unary calls.
  int max_streams = 32;           // RISKCAP_MAX_STREAMS: open streaming calls, all keys
  int max_streams_per_key = 8;    // RISKCAP_MAX_STREAMS_PER_KEY: open streaming calls of one key
  // RISKCAP_STREAM_IDLE_SECONDS: a client stream (upload, SubmitMargins) whose client sends
  // nothing for this long, before its first message or between two, is cancelled.
  int stream_idle_seconds = 30;
  // RISKCAP_MAX_CONNECTION_IDLE_SECONDS: a connection with no call for this long is closed.
  int max_connection_idle_seconds = 300;
  // RISKCAP_MAX_CONNECTION_AGE_SECONDS: a connection this old is asked to go away (clients
  // reconnect); calls still open on it get kConnectionAgeGrace more, then are cancelled.
  int max_connection_age_seconds = 3600;
  // RISKCAP_DB_STATEMENT_TIMEOUT_SECONDS: PostgreSQL statement_timeout of every session; a
  // longer statement is cancelled and its call fails UNAVAILABLE.
  int db_statement_timeout_seconds = 60;
  // RISKCAP_DB_LOCK_TIMEOUT_SECONDS: how long a statement waits for a lock another transaction
  // holds (PostgreSQL lock_timeout, SQLite busy timeout) before its call fails UNAVAILABLE.
  int db_lock_timeout_seconds = 30;
  // RISKCAP_METRICS_LISTEN (--metrics-listen): where GET /metrics serves Prometheus metrics,
  // apart from the gRPC port; empty = off. A bare port or ":port" binds loopback
  // (MetricsListenAddress).
  std::string metrics_listen;
  // The audit chain (docs/security.md "The audit chain").
  // RISKCAP_SIGNING_KEY_FILE: the Ed25519 key (PEM, mode 0600) that signs audit checkpoints,
  // created by `riskcapd keys init-signing`; empty: no checkpoints are signed.
  std::string signing_key_file;
  // RISKCAP_AUDIT_SEAL_INTERVAL_MS: how soon new audit records are sealed into the chain; 0: only
  // on demand (before a verification or checkpoint).
  int audit_seal_interval_ms = 1000;
  // RISKCAP_AUDIT_CHECKPOINT_INTERVAL_SECONDS: between two signed checkpoints; 0: on demand only.
  int audit_checkpoint_interval_seconds = 3600;
  DeliveryConfig delivery;  // e-mail and webhook deliveries (server/delivery/delivery_config.h)
  LogLevel log_level = LogLevel::kInfo;  // RISKCAP_LOG_LEVEL (--log-level): records below are dropped
};

// How long calls may go on after their connection reached max_connection_age_seconds.
inline constexpr absl::Duration kConnectionAgeGrace = absl::Minutes(10);

// Reads an environment variable: std::getenv, or a map in tests.
using Getenv = std::function<const char*(const char*)>;

// Every setting's flag on a CLI::App (--listen, --db, ...), and their resolution once the app has
// parsed its command line. CLI11 only collects each flag's text: the setting's own parser checks
// it, the same one that checks the environment variable, so both are refused with one message.
class ConfigFlags {
 public:
  // Adds the flags to `app`, which must outlive this object; --help shows each one's variable,
  // accepted values and default.
  explicit ConfigFlags(CLI::App& app);

  // Fills `config` after `app.parse`. Precedence, for each setting: the flag when given, else the
  // environment variable when set and not empty, else `config` keeps its value (the default). The
  // first bad value is InvalidArgument naming the flag and the variable (SettingName).
  absl::Status Resolve(const Getenv& getenv, ServerConfig* config) const;

 private:
  std::vector<std::pair<const Setting*, CLI::Option*>> options_;  // option null: env only
};

// ConfigFlags in one call, for tests and tools: parses `args` (flags only, no program name) over
// the environment `getenv` into `config`. InvalidArgument for a bad value or an unknown flag.
absl::Status LoadConfig(const std::vector<std::string>& args, const Getenv& getenv,
                        ServerConfig* config);

// Checks across settings (each setting's own value is checked when it is read): TLS files given
// in pairs, plain text only on loopback unless allowed, stream caps within the worker threads, ...
absl::Status ValidateConfig(const ServerConfig& config);

// The address the metrics endpoint binds for the metrics_listen setting: "" (off) for "",
// "127.0.0.1:PORT" for "PORT" or ":PORT", else "host:port" as given. InvalidArgument saying what
// is accepted unless the port is 0..65535 (0: any free port).
absl::StatusOr<std::string> MetricsListenAddress(const std::string& setting);

// True for a literal 127.0.0.0/8 address, ::1 and "localhost" (with any port).
bool IsLoopbackListen(const std::string& listen);

}  // namespace riskcap::server
