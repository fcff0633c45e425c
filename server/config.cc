// riskcapd configuration loading and validation.
#include "server/config.h"

#include <arpa/inet.h>

#include <CLI/CLI.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace riskcap::server {
namespace {

absl::Status ReadInt(const char* name, const char* text, int min, int max, int* out) {
  int value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(name, "='", text, "' must be an integer in [",
                                                   min, ", ", max, "]"));
  }
  *out = value;
  return absl::OkStatus();
}

absl::Status ReadBool(const char* name, const char* text, bool* out) {
  std::string v = text;
  if (v == "1" || v == "true" || v == "yes") {
    *out = true;
  } else if (v == "0" || v == "false" || v == "no" || v.empty()) {
    *out = false;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(name, "='", v, "' must be true or false"));
  }
  return absl::OkStatus();
}

// The feed limits' ranges, shared by the environment variables and the flags.
constexpr int64_t kFeedMaxBytesRange[] = {1024, int64_t{16} << 30};
constexpr int64_t kFeedMaxRowsRange[] = {1, 1'000'000'000};
constexpr int64_t kFeedMaxFieldBytesRange[] = {64, int64_t{1} << 30};

absl::Status ReadInt64(const char* name, const char* text, const int64_t (&range)[2],
                       int64_t* out) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < range[0] || value > range[1]) {
    return absl::InvalidArgumentError(absl::StrCat(name, "='", text, "' must be an integer in [",
                                                   range[0], ", ", range[1], "]"));
  }
  *out = value;
  return absl::OkStatus();
}

absl::Status LoadFeedLimitsFromEnv(const std::function<const char*(const char*)>& getenv,
                                   sources::FeedLimits* limits) {
  const struct {
    const char* name;
    const int64_t (&range)[2];
    int64_t* out;
  } settings[] = {
      {"RISKCAP_FEED_MAX_BYTES", kFeedMaxBytesRange, &limits->max_bytes},
      {"RISKCAP_FEED_MAX_ROWS", kFeedMaxRowsRange, &limits->max_rows},
      {"RISKCAP_FEED_MAX_FIELD_BYTES", kFeedMaxFieldBytesRange, &limits->max_field_bytes},
  };
  for (const auto& s : settings) {
    if (const char* v = getenv(s.name)) {
      if (auto st = ReadInt64(s.name, v, s.range, s.out); !st.ok()) return st;
    }
  }
  return absl::OkStatus();
}

// The host part of host:port, without IPv6 brackets.
std::string HostOf(const std::string& listen) {
  if (absl::StartsWith(listen, "[")) {
    size_t end = listen.find(']');
    return end == std::string::npos ? listen : listen.substr(1, end - 1);
  }
  size_t colon = listen.rfind(':');
  return colon == std::string::npos ? listen : listen.substr(0, colon);
}

absl::Status LoadSourcesFromEnv(const std::function<const char*(const char*)>& getenv,
                                SourcesConfig* c) {
  if (const char* v = getenv("RISKCAP_SOURCE")) c->default_location = v;
  for (const char* job : kSourcedJobs) {
    const std::string name = absl::StrCat("RISKCAP_SOURCE_", absl::AsciiStrToUpper(job));
    if (const char* v = getenv(name.c_str())) c->per_job[job] = v;
  }
  if (const char* v = getenv("RISKCAP_SOURCE_TOKEN")) c->token = v;
  if (const char* v = getenv("RISKCAP_SOURCE_TIMEOUT_SECONDS")) {
    auto st = ReadInt("RISKCAP_SOURCE_TIMEOUT_SECONDS", v, 1, 3600, &c->timeout_seconds);
    if (!st.ok()) return st;
  }
  if (const char* v = getenv("RISKCAP_SOURCE_RETRIES")) {
    if (auto st = ReadInt("RISKCAP_SOURCE_RETRIES", v, 0, 20, &c->retries); !st.ok()) return st;
  }
  if (const char* v = getenv("RISKCAP_SOURCE_INSECURE")) {
    auto st = ReadBool("RISKCAP_SOURCE_INSECURE", v, &c->insecure_skip_tls_verify);
    if (!st.ok()) return st;
  }
  if (const char* v = getenv("RISKCAP_FEED_GUARD_FRACTION")) {
    double f = 0;
    if (!absl::SimpleAtod(v, &f) || f < 0 || f > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("RISKCAP_FEED_GUARD_FRACTION='", v, "' must be a number in [0, 1]"));
    }
    c->feed_guard_fraction = f;
  }
  return LoadFeedLimitsFromEnv(getenv, &c->feed_limits);
}

// The stream and connection limits (docs/security.md); ranges as in AddStreamFlags.
absl::Status LoadStreamLimitsFromEnv(const std::function<const char*(const char*)>& getenv,
                                     ServerConfig* c) {
  struct IntSetting {
    const char* name;
    int min;
    int max;
    int* out;
  };
  const IntSetting settings[] = {
      {"RISKCAP_MAX_STREAMS", 1, 1024, &c->max_streams},
      {"RISKCAP_MAX_STREAMS_PER_KEY", 1, 1024, &c->max_streams_per_key},
      {"RISKCAP_STREAM_IDLE_SECONDS", 1, 3600, &c->stream_idle_seconds},
      {"RISKCAP_MAX_CONNECTION_IDLE_SECONDS", 1, 86400, &c->max_connection_idle_seconds},
      {"RISKCAP_MAX_CONNECTION_AGE_SECONDS", 10, 604800, &c->max_connection_age_seconds},
  };
  for (const IntSetting& s : settings) {
    if (const char* v = getenv(s.name)) {
      if (auto st = ReadInt(s.name, v, s.min, s.max, s.out); !st.ok()) return st;
    }
  }
  return absl::OkStatus();
}

// The ranges, shared by the environment and the flags.
constexpr int kMaxStatementTimeoutSeconds = 86400;
constexpr int kMaxLockTimeoutSeconds = 3600;
constexpr int kMaxAuditSealIntervalMs = 60000;
constexpr int kMaxAuditCheckpointIntervalSeconds = 7 * 86400;

absl::Status LoadStoreTimeoutsFromEnv(const std::function<const char*(const char*)>& getenv,
                                      ServerConfig* c) {
  if (const char* v = getenv("RISKCAP_DB_STATEMENT_TIMEOUT_SECONDS")) {
    auto st = ReadInt("RISKCAP_DB_STATEMENT_TIMEOUT_SECONDS", v, 1, kMaxStatementTimeoutSeconds,
                      &c->db_statement_timeout_seconds);
    if (!st.ok()) return st;
  }
  if (const char* v = getenv("RISKCAP_DB_LOCK_TIMEOUT_SECONDS")) {
    return ReadInt("RISKCAP_DB_LOCK_TIMEOUT_SECONDS", v, 1, kMaxLockTimeoutSeconds,
                   &c->db_lock_timeout_seconds);
  }
  return absl::OkStatus();
}

void AddStreamFlags(CLI::App& app, ServerConfig* c) {
  app.add_option("--max-streams", c->max_streams,
                 "streaming calls open at once, all keys; at most --worker-threads"
                 " (env RISKCAP_MAX_STREAMS)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--max-streams-per-key", c->max_streams_per_key,
                 "streaming calls open at once per API key (env RISKCAP_MAX_STREAMS_PER_KEY)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--stream-idle-seconds", c->stream_idle_seconds,
                 "cancel a client stream that sends nothing for this long"
                 " (env RISKCAP_STREAM_IDLE_SECONDS)")
      ->check(CLI::Range(1, 3600));
  app.add_option("--max-connection-idle-seconds", c->max_connection_idle_seconds,
                 "close a connection with no call for this long"
                 " (env RISKCAP_MAX_CONNECTION_IDLE_SECONDS)")
      ->check(CLI::Range(1, 86400));
  app.add_option("--max-connection-age-seconds", c->max_connection_age_seconds,
                 "ask clients to reconnect after this long"
                 " (env RISKCAP_MAX_CONNECTION_AGE_SECONDS)")
      ->check(CLI::Range(10, 604800));
}

absl::Status ValidateStreamLimits(const ServerConfig& c) {
  if (c.max_streams_per_key > c.max_streams) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max-streams-per-key (", c.max_streams_per_key, ") must not exceed --max-streams (",
        c.max_streams, ")"));
  }
  if (c.max_streams > c.worker_threads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max-streams (", c.max_streams, ") must not exceed --worker-threads (", c.worker_threads,
        "): each open stream holds a worker thread, and unary calls need the rest"));
  }
  return absl::OkStatus();
}

absl::Status ReadDate(const char* name, const std::string& text, Date* out) {
  auto date = ParseDate(text);
  if (!date.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, "='", text, "' must be a date YYYY-MM-DD (1900-01-01..9999-12-31)"));
  }
  *out = *date;
  return absl::OkStatus();
}

// The audit chain's settings (RISKCAP_SIGNING_KEY_FILE and the sealer's intervals).
absl::Status LoadAuditChainFromEnv(const std::function<const char*(const char*)>& getenv,
                                   ServerConfig* c) {
  if (const char* v = getenv("RISKCAP_SIGNING_KEY_FILE")) c->signing_key_file = v;
  if (const char* v = getenv("RISKCAP_AUDIT_SEAL_INTERVAL_MS")) {
    auto st = ReadInt("RISKCAP_AUDIT_SEAL_INTERVAL_MS", v, 0, kMaxAuditSealIntervalMs,
                      &c->audit_seal_interval_ms);
    if (!st.ok()) return st;
  }
  if (const char* v = getenv("RISKCAP_AUDIT_CHECKPOINT_INTERVAL_SECONDS")) {
    return ReadInt("RISKCAP_AUDIT_CHECKPOINT_INTERVAL_SECONDS", v, 0,
                   kMaxAuditCheckpointIntervalSeconds, &c->audit_checkpoint_interval_seconds);
  }
  return absl::OkStatus();
}

void AddAuditChainFlags(CLI::App& app, ServerConfig* c) {
  app.add_option("--signing-key-file", c->signing_key_file,
                 "Ed25519 key (PEM, mode 0600) signing audit checkpoints; create it with "
                 "`riskcapd keys init-signing` (env RISKCAP_SIGNING_KEY_FILE)");
  app.add_option("--audit-seal-interval-ms", c->audit_seal_interval_ms,
                 "how soon new audit records are sealed into the chain; 0: on demand only "
                 "(env RISKCAP_AUDIT_SEAL_INTERVAL_MS)")
      ->check(CLI::Range(0, kMaxAuditSealIntervalMs));
  app.add_option("--audit-checkpoint-interval-seconds", c->audit_checkpoint_interval_seconds,
                 "between two signed audit checkpoints; 0: on demand only "
                 "(env RISKCAP_AUDIT_CHECKPOINT_INTERVAL_SECONDS)")
      ->check(CLI::Range(0, kMaxAuditCheckpointIntervalSeconds));
}

}  // namespace

absl::Status LoadConfigFromEnv(const std::function<const char*(const char*)>& getenv,
                               ServerConfig* c) {
  auto str = [&](const char* name, std::string* out) {
    if (const char* v = getenv(name)) *out = v;
  };
  str("RISKCAP_LISTEN", &c->listen);
  str("RISKCAP_DB", &c->db_url);
  str("RISKCAP_TLS_CERT", &c->tls_cert);
  str("RISKCAP_TLS_KEY", &c->tls_key);
  str("RISKCAP_TLS_CLIENT_CA", &c->tls_client_ca);
  str("RISKCAP_BACKUP_URL", &c->backup_url);
  str("RISKCAP_BACKUP_DIR", &c->backup_dir);
  str("RISKCAP_METRICS_LISTEN", &c->metrics_listen);
  if (const char* v = getenv("RISKCAP_WORKER_THREADS")) {
    if (auto st = ReadInt("RISKCAP_WORKER_THREADS", v, 1, 1024, &c->worker_threads); !st.ok()) return st;
  }
  if (const char* v = getenv("RISKCAP_DB_POOL")) {
    if (auto st = ReadInt("RISKCAP_DB_POOL", v, 1, 1024, &c->db_pool_size); !st.ok()) return st;
  }
  if (const char* v = getenv("RISKCAP_MAX_QUEUED_WRITES")) {
    auto st = ReadInt("RISKCAP_MAX_QUEUED_WRITES", v, 1, 1 << 20, &c->max_queued_writes);
    if (!st.ok()) return st;
  }
  if (const char* v = getenv("RISKCAP_MAX_MESSAGE_BYTES")) {
    auto st = ReadInt("RISKCAP_MAX_MESSAGE_BYTES", v, 1024, 1 << 30, &c->max_message_bytes);
    if (!st.ok()) return st;
  }
  if (const char* v = getenv("RISKCAP_SHUTDOWN_GRACE_SECONDS")) {
    int seconds = 0;
    if (auto st = ReadInt("RISKCAP_SHUTDOWN_GRACE_SECONDS", v, 0, 3600, &seconds); !st.ok()) return st;
    c->shutdown_grace = absl::Seconds(seconds);
  }
  if (const char* v = getenv("RISKCAP_JOB_WORKERS")) {
    if (auto st = ReadInt("RISKCAP_JOB_WORKERS", v, 1, 64, &c->job_workers); !st.ok()) return st;
  }
  if (const char* v = getenv("RISKCAP_JOB_ABANDON_SECONDS")) {
    int seconds = 0;
    if (auto st = ReadInt("RISKCAP_JOB_ABANDON_SECONDS", v, 5, 86400, &seconds); !st.ok()) return st;
    c->job_abandon_after = absl::Seconds(seconds);
  }
  if (const char* v = getenv("RISKCAP_EARLIEST_REFERENCE_DATE")) {
    auto st = ReadDate("RISKCAP_EARLIEST_REFERENCE_DATE", v, &c->earliest_reference_date);
    if (!st.ok()) return st;
  }
  if (auto st = LoadStoreTimeoutsFromEnv(getenv, c); !st.ok()) return st;
  if (auto st = LoadAuditChainFromEnv(getenv, c); !st.ok()) return st;
  if (auto st = LoadSourcesFromEnv(getenv, &c->sources); !st.ok()) return st;
  if (auto st = LoadStreamLimitsFromEnv(getenv, c); !st.ok()) return st;
  if (auto st = LoadDeliveryConfigFromEnv(getenv, &c->delivery); !st.ok()) return st;
  if (const char* v = getenv("RISKCAP_ALLOW_INSECURE_REMOTE")) {
    return ReadBool("RISKCAP_ALLOW_INSECURE_REMOTE", v, &c->allow_insecure_remote);
  }
  return absl::OkStatus();
}

void AddConfigFlags(CLI::App& app, ServerConfig* c) {
  app.add_option("--listen", c->listen, "host:port to listen on (env RISKCAP_LISTEN)");
  app.add_option("--db", c->db_url,
                 "store URL: sqlite:PATH, sqlite::memory: or postgresql://... (env RISKCAP_DB)");
  app.add_option("--worker-threads", c->worker_threads,
                 "RPCs served concurrently; more get RESOURCE_EXHAUSTED (env RISKCAP_WORKER_THREADS)")->check(CLI::Range(1, 1024));
  app.add_option("--db-pool", c->db_pool_size, "database sessions (env RISKCAP_DB_POOL)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--max-queued-writes", c->max_queued_writes,
                 "writes waiting for a group commit; more get RESOURCE_EXHAUSTED"
                 " (env RISKCAP_MAX_QUEUED_WRITES)")
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--max-message-bytes", c->max_message_bytes,
                 "largest gRPC message accepted (env RISKCAP_MAX_MESSAGE_BYTES)");
  app.add_option("--tls-cert", c->tls_cert, "PEM server certificate (env RISKCAP_TLS_CERT)");
  app.add_option("--tls-key", c->tls_key, "PEM server private key (env RISKCAP_TLS_KEY)");
  app.add_option("--tls-client-ca", c->tls_client_ca,
                 "PEM CA that client certificates must chain to: mutual TLS (env RISKCAP_TLS_CLIENT_CA)");
  app.add_option("--backup-url", c->backup_url,
                 "default backup target store URL, e.g. sqlite:/backups/riskcap.db (env RISKCAP_BACKUP_URL)");
  app.add_option("--backup-dir", c->backup_dir,
                 "directory in which an ADMIN may name backup files through the API "
                 "(env RISKCAP_BACKUP_DIR)");
  app.add_option("--job-workers", c->job_workers,
                 "job runs executed at once (env RISKCAP_JOB_WORKERS)")
      ->check(CLI::Range(1, 64));
  // The same check as the variable's; the callback runs only on a value that passed it.
  app.add_option_function<std::string>(
         "--earliest-reference-date",
         [c](const std::string& text) {
           (void)ReadDate("--earliest-reference-date", text, &c->earliest_reference_date);
         },
         "no job runs for a date before this, YYYY-MM-DD (env RISKCAP_EARLIEST_REFERENCE_DATE)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            Date ignored;
            auto st = ReadDate("--earliest-reference-date", text, &ignored);
            return st.ok() ? std::string() : std::string(st.message());
          },
          "DATE"))
      ->default_str(FormatDate(c->earliest_reference_date));
  app.add_option("--db-statement-timeout-seconds", c->db_statement_timeout_seconds,
                 "PostgreSQL statement timeout (env RISKCAP_DB_STATEMENT_TIMEOUT_SECONDS)")
      ->check(CLI::Range(1, kMaxStatementTimeoutSeconds));
  app.add_option("--db-lock-timeout-seconds", c->db_lock_timeout_seconds,
                 "longest wait for a database lock: PostgreSQL lock_timeout, SQLite busy "
                 "timeout (env RISKCAP_DB_LOCK_TIMEOUT_SECONDS)")
      ->check(CLI::Range(1, kMaxLockTimeoutSeconds));
  app.add_flag("--allow-insecure-remote", c->allow_insecure_remote,
               "allow plain text on a non-loopback address (env RISKCAP_ALLOW_INSECURE_REMOTE)");
  // Data-job sources (docs/sources.md); per-job overrides and the token are environment only.
  app.add_option("--source", c->sources.default_location,
                 "data-job source: http(s)://..., file:/dir or push (env RISKCAP_SOURCE)");
  app.add_option("--source-timeout-seconds", c->sources.timeout_seconds,
                 "per-attempt HTTP timeout (env RISKCAP_SOURCE_TIMEOUT_SECONDS)")
      ->check(CLI::Range(1, 3600));
  app.add_option("--source-retries", c->sources.retries,
                 "HTTP retries after the first attempt (env RISKCAP_SOURCE_RETRIES)")
      ->check(CLI::Range(0, 20));
  app.add_flag("--source-insecure", c->sources.insecure_skip_tls_verify,
               "DANGEROUS: do not verify upstream TLS certificates (env RISKCAP_SOURCE_INSECURE)");
  app.add_option("--feed-guard-fraction", c->sources.feed_guard_fraction,
                 "quarantine a feed with fewer rows than this fraction of the previous load "
                 "(env RISKCAP_FEED_GUARD_FRACTION)")
      ->check(CLI::Range(0.0, 1.0));
  sources::FeedLimits& limits = c->sources.feed_limits;
  app.add_option("--feed-max-bytes", limits.max_bytes,
                 "largest feed payload (HTTP body or file) read (env RISKCAP_FEED_MAX_BYTES)")
      ->check(CLI::Range(kFeedMaxBytesRange[0], kFeedMaxBytesRange[1]));
  app.add_option("--feed-max-rows", limits.max_rows,
                 "most rows in one feed payload (env RISKCAP_FEED_MAX_ROWS)")
      ->check(CLI::Range(kFeedMaxRowsRange[0], kFeedMaxRowsRange[1]));
  app.add_option("--feed-max-field-bytes", limits.max_field_bytes,
                 "longest feed cell or JSON value (env RISKCAP_FEED_MAX_FIELD_BYTES)")
      ->check(CLI::Range(kFeedMaxFieldBytesRange[0], kFeedMaxFieldBytesRange[1]));
  AddStreamFlags(app, c);
  app.add_option("--metrics-listen", c->metrics_listen,
                 "serve Prometheus metrics (GET /metrics) on this host:port, or on loopback "
                 "for a bare port; off when empty (env RISKCAP_METRICS_LISTEN)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            auto address = MetricsListenAddress(text);
            return address.ok() ? std::string() : std::string(address.status().message());
          },
          "HOST:PORT"));
  AddAuditChainFlags(app, c);
  AddDeliveryFlags(app, &c->delivery);
}

absl::StatusOr<std::string> MetricsListenAddress(const std::string& setting) {
  if (setting.empty()) return std::string();
  const size_t colon = setting.rfind(':');
  // "9464" and ":9464" bind loopback; an IPv6 host needs brackets ("[::1]:9464").
  const bool bare = colon == std::string::npos || colon == 0;
  const std::string port_text = bare ? setting.substr(colon == 0 ? 1 : 0)
                                     : setting.substr(colon + 1);
  const std::string host = bare ? "127.0.0.1" : setting.substr(0, colon);
  int port = 0;
  const bool v6_ok = host.find(':') == std::string::npos ||
                     (host.front() == '[' && host.back() == ']');
  if (!absl::SimpleAtoi(port_text, &port) || port < 0 || port > 65535 || !v6_ok ||
      port_text.empty() || port_text.find_first_not_of("0123456789") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RISKCAP_METRICS_LISTEN='", setting,
        "' must be PORT, :PORT or HOST:PORT with a port in [0, 65535] (IPv6 as [ADDR]:PORT)"));
  }
  return absl::StrCat(host, ":", port);
}

bool IsLoopbackListen(const std::string& listen) {
  std::string host = HostOf(listen);
  if (host == "localhost" || host == "::1") return true;
  // Only a literal 127.0.0.0/8 address counts: a name such as "127.example.com" could resolve
  // anywhere.
  in_addr addr{};
  if (inet_pton(AF_INET, host.c_str(), &addr) != 1) return false;
  return (ntohl(addr.s_addr) >> 24) == 127;
}

absl::Status ValidateConfig(const ServerConfig& c) {
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key must be given together");
  }
  if (!c.tls_client_ca.empty() && c.tls_cert.empty()) {
    return absl::InvalidArgumentError("--tls-client-ca (mutual TLS) needs --tls-cert and --tls-key");
  }
  if (c.tls_cert.empty() && !c.allow_insecure_remote && !IsLoopbackListen(c.listen)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "refusing plain text on non-loopback address ", c.listen,
        ": configure --tls-cert/--tls-key or pass --allow-insecure-remote"));
  }
  if (c.listen.rfind(':') == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("--listen '", c.listen, "' must be host:port"));
  }
  if (auto metrics = MetricsListenAddress(c.metrics_listen); !metrics.ok()) {
    return metrics.status();
  }
  if (auto st = ValidateDeliveryConfig(c.delivery); !st.ok()) return st;
  return ValidateStreamLimits(c);
}

}  // namespace riskcap::server
