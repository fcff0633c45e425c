// The table of riskcapd's settings: one entry per setting, built from typed declarations that
// carry the range, so the flag, the variable, --help and the error message cannot disagree.
#include "server/daemon/config_settings.h"

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/absl_compat.h"
#include "core/date.h"
#include "server/daemon/config.h"

namespace riskcap::server {
namespace {

// The field a setting stores into: ServerConfig's member, or a member of one of its members
// (FieldOf(c, &ServerConfig::delivery, &DeliveryConfig::poll_ms) is c.delivery.poll_ms).
template <typename Config, typename... Path>
auto& FieldOf(Config& config, Path... path) {
  return (config .* ... .* path);
}

template <typename... Path>
using FieldType =
    std::remove_reference_t<decltype(FieldOf(std::declval<ServerConfig&>(), std::declval<Path>()...))>;

absl::Status Refused(std::string_view accepted) {
  return absl::InvalidArgumentError(AbslView(accepted));
}

// An integer field (int or int64_t) in [min, max]; the range is part of the help.
template <typename... Path>
Setting Integer(const char* flag, const char* env, int64_t min, int64_t max, const char* help,
                Path... path) {
  using Int = FieldType<Path...>;
  static_assert(std::is_integral_v<Int>);
  return {.flag = flag,
          .env = env,
          .type = "INT",
          .help = absl::StrCat(help, " (", min, "..", max, ")"),
          .set = [=](const std::string& text, ServerConfig& c) -> absl::Status {
            int64_t value = 0;
            if (!absl::SimpleAtoi(text, &value) || value < min || value > max) {
              return Refused(absl::StrCat("must be an integer in [", min, ", ", max, "]"));
            }
            FieldOf(c, path...) = static_cast<Int>(value);
            return absl::OkStatus();
          },
          .get = [=](const ServerConfig& c) { return absl::StrCat(FieldOf(c, path...)); }};
}

// A duration field given in whole seconds in [min, max].
template <typename... Path>
Setting Seconds(const char* flag, const char* env, int64_t min, int64_t max, const char* help,
                Path... path) {
  static_assert(std::is_same_v<FieldType<Path...>, absl::Duration>);
  return {.flag = flag,
          .env = env,
          .type = "SECONDS",
          .help = absl::StrCat(help, " (", min, "..", max, ")"),
          .set = [=](const std::string& text, ServerConfig& c) -> absl::Status {
            int64_t value = 0;
            if (!absl::SimpleAtoi(text, &value) || value < min || value > max) {
              return Refused(absl::StrCat("must be a whole number of seconds in [", min, ", ",
                                          max, "]"));
            }
            FieldOf(c, path...) = absl::Seconds(value);
            return absl::OkStatus();
          },
          .get = [=](const ServerConfig& c) {
            return absl::StrCat(absl::ToInt64Seconds(FieldOf(c, path...)));
          }};
}

// A fraction in [0, 1] (NaN is not one).
template <typename... Path>
Setting Fraction(const char* flag, const char* env, const char* help, Path... path) {
  return {.flag = flag,
          .env = env,
          .type = "FRACTION",
          .help = absl::StrCat(help, " (0..1)"),
          .set = [=](const std::string& text, ServerConfig& c) -> absl::Status {
            double value = 0;
            if (!absl::SimpleAtod(text, &value) || !(value >= 0 && value <= 1)) {
              return Refused("must be a number in [0, 1]");
            }
            FieldOf(c, path...) = value;
            return absl::OkStatus();
          },
          .get = [=](const ServerConfig& c) { return absl::StrCat(FieldOf(c, path...)); }};
}

// A switch: true for 1/true/yes/on, false for 0/false/no/off or empty, in any case.
template <typename... Path>
Setting Switch(const char* flag, const char* env, const char* help, Path... path) {
  return {.flag = flag,
          .env = env,
          .is_switch = true,
          .help = help,
          .set = [=](const std::string& text, ServerConfig& c) -> absl::Status {
            const std::string v = absl::AsciiStrToLower(text);
            if (v == "1" || v == "true" || v == "yes" || v == "on") {
              FieldOf(c, path...) = true;
            } else if (v == "0" || v == "false" || v == "no" || v == "off" || v.empty()) {
              FieldOf(c, path...) = false;
            } else {
              return Refused("must be true or false (1/0, yes/no, on/off)");
            }
            return absl::OkStatus();
          },
          .get = [=](const ServerConfig& c) {
            return std::string(FieldOf(c, path...) ? "true" : "false");
          }};
}

// Free text (a path, a URL, an address); `check`, when given, returns the refusal or OK.
using TextCheck = absl::Status (*)(const std::string& text);

template <typename... Path>
Setting Text(const char* flag, const char* env, const char* type, const char* help,
             TextCheck check, Path... path) {
  return {.flag = flag,
          .env = env,
          .type = type,
          .help = help,
          .set = [=](const std::string& text, ServerConfig& c) -> absl::Status {
            if (check != nullptr) {
              if (absl::Status st = check(text); !st.ok()) return st;
            }
            FieldOf(c, path...) = text;
            return absl::OkStatus();
          },
          .get = [=](const ServerConfig& c) { return FieldOf(c, path...); }};
}

absl::Status CheckMetricsListen(const std::string& text) {
  return MetricsListenAddress(text).status();
}

Setting EarliestReferenceDate() {
  return {.flag = "--earliest-reference-date",
          .env = "RISKCAP_EARLIEST_REFERENCE_DATE",
          .type = "DATE",
          .help = "no job, pipeline or backfill runs for a date before this (nor after today)",
          .set = [](const std::string& text, ServerConfig& c) -> absl::Status {
            auto date = ParseDate(text);
            if (!date.ok()) return Refused("must be a date YYYY-MM-DD (1900-01-01..9999-12-31)");
            c.earliest_reference_date = *date;
            return absl::OkStatus();
          },
          .get = [](const ServerConfig& c) { return FormatDate(c.earliest_reference_date); }};
}

Setting LogLevelSetting() {
  return {.flag = "--log-level",
          .env = "RISKCAP_LOG_LEVEL",
          .type = "LEVEL",
          .help = "least severe log records written: debug, info, warning or error",
          .set = [](const std::string& text, ServerConfig& c) -> absl::Status {
            std::optional<LogLevel> level = LogLevelFromName(text);
            if (!level) return Refused("must be debug, info, warning or error");
            c.log_level = *level;
            return absl::OkStatus();
          },
          .get = [](const ServerConfig& c) { return std::string(LogLevelName(c.log_level)); }};
}

// RISKCAP_SOURCE_<JOB> / --source-<job>: one data job's source, instead of --source.
Setting PerJobSource(const std::string& job) {
  return {.flag = absl::StrCat("--source-", absl::StrReplaceAll(job, {{"_", "-"}})),
          .env = absl::StrCat("RISKCAP_SOURCE_", absl::AsciiStrToUpper(job)),
          .type = "LOCATION",
          .help = absl::StrCat("source of the ", job, " job, instead of --source"),
          .set = [job](const std::string& text, ServerConfig& c) -> absl::Status {
            c.sources.per_job[job] = text;
            return absl::OkStatus();
          },
          .get = [job](const ServerConfig& c) {
            auto it = c.sources.per_job.find(job);
            return it == c.sources.per_job.end() ? std::string() : it->second;
          }};
}

using S = ServerConfig;
using D = DeliveryConfig;

std::vector<Setting> ServeSettings() {
  return {
      Text("--listen", "RISKCAP_LISTEN", "HOST:PORT", "host:port to serve on (port 0: any free port)",
           nullptr, &S::listen),
      Text("--db", "RISKCAP_DB", "URL",
           "store URL: sqlite:PATH, sqlite::memory: or postgresql://...", nullptr, &S::db_url),
      Integer("--worker-threads", "RISKCAP_WORKER_THREADS", 1, 1024,
              "RPCs served at once; more get RESOURCE_EXHAUSTED", &S::worker_threads),
      Integer("--db-pool", "RISKCAP_DB_POOL", 1, 1024, "database sessions", &S::db_pool_size),
      Integer("--max-queued-writes", "RISKCAP_MAX_QUEUED_WRITES", 1, 1 << 20,
              "margin submissions waiting for a group commit; more get RESOURCE_EXHAUSTED",
              &S::max_queued_writes),
      Integer("--max-message-bytes", "RISKCAP_MAX_MESSAGE_BYTES", 1024, 1 << 30,
              "largest gRPC message accepted or sent", &S::max_message_bytes),
      Integer("--db-statement-timeout-seconds", "RISKCAP_DB_STATEMENT_TIMEOUT_SECONDS", 1, 86400,
              "PostgreSQL statement timeout of every session", &S::db_statement_timeout_seconds),
      Integer("--db-lock-timeout-seconds", "RISKCAP_DB_LOCK_TIMEOUT_SECONDS", 1, 3600,
              "longest wait for a database lock: PostgreSQL lock_timeout, SQLite busy timeout",
              &S::db_lock_timeout_seconds),
      Text("--tls-cert", "RISKCAP_TLS_CERT", "FILE", "PEM server certificate: serve TLS",
           nullptr, &S::tls_cert),
      Text("--tls-key", "RISKCAP_TLS_KEY", "FILE", "PEM private key of --tls-cert", nullptr,
           &S::tls_key),
      Text("--tls-client-ca", "RISKCAP_TLS_CLIENT_CA", "FILE",
           "PEM CA that client certificates must chain to: mutual TLS", nullptr,
           &S::tls_client_ca),
      Switch("--allow-insecure-remote", "RISKCAP_ALLOW_INSECURE_REMOTE",
             "allow plain text on a non-loopback address", &S::allow_insecure_remote),
      Seconds("--shutdown-grace-seconds", "RISKCAP_SHUTDOWN_GRACE_SECONDS", 0, 3600,
              "how long in-flight calls and jobs may finish on shutdown", &S::shutdown_grace),
      Integer("--max-streams", "RISKCAP_MAX_STREAMS", 1, 1024,
              "streaming calls open at once, all keys; at most --worker-threads", &S::max_streams),
      Integer("--max-streams-per-key", "RISKCAP_MAX_STREAMS_PER_KEY", 1, 1024,
              "streaming calls open at once per API key", &S::max_streams_per_key),
      Integer("--stream-idle-seconds", "RISKCAP_STREAM_IDLE_SECONDS", 1, 3600,
              "cancel a client stream that sends nothing for this long", &S::stream_idle_seconds),
      Integer("--max-connection-idle-seconds", "RISKCAP_MAX_CONNECTION_IDLE_SECONDS", 1, 86400,
              "close a connection with no call for this long", &S::max_connection_idle_seconds),
      Integer("--max-connection-age-seconds", "RISKCAP_MAX_CONNECTION_AGE_SECONDS", 10, 604800,
              "ask clients to reconnect after this long", &S::max_connection_age_seconds),
      Text("--metrics-listen", "RISKCAP_METRICS_LISTEN", "HOST:PORT",
           "serve Prometheus metrics (GET /metrics) here; a bare port binds loopback; empty: off",
           CheckMetricsListen, &S::metrics_listen),
      LogLevelSetting(),
  };
}

std::vector<Setting> JobSettings() {
  using Src = SourcesConfig;
  using Lim = sources::FeedLimits;
  std::vector<Setting> settings = {
      Integer("--job-workers", "RISKCAP_JOB_WORKERS", 1, 64, "job runs executed at once",
              &S::job_workers),
      Seconds("--job-abandon-seconds", "RISKCAP_JOB_ABANDON_SECONDS", 5, 86400,
              "fail a run as abandoned when its server sent no heartbeat for this long",
              &S::job_abandon_after),
      EarliestReferenceDate(),
      Text("--source", "RISKCAP_SOURCE", "LOCATION",
           "data-job source: http(s)://host:port, file:/dir or push", nullptr, &S::sources,
           &Src::default_location),
  };
  for (const char* job : kSourcedJobs) settings.push_back(PerJobSource(job));
  std::vector<Setting> rest = {
      Text("", "RISKCAP_SOURCE_TOKEN", "TOKEN",
           "bearer token for HTTP sources (a secret: environment only)", nullptr, &S::sources,
           &Src::token),
      Integer("--source-timeout-seconds", "RISKCAP_SOURCE_TIMEOUT_SECONDS", 1, 3600,
              "per-attempt HTTP timeout", &S::sources, &Src::timeout_seconds),
      Integer("--source-retries", "RISKCAP_SOURCE_RETRIES", 0, 20,
              "HTTP retries after the first attempt", &S::sources, &Src::retries),
      Switch("--source-insecure", "RISKCAP_SOURCE_INSECURE",
             "DANGEROUS: do not verify upstream TLS certificates", &S::sources,
             &Src::insecure_skip_tls_verify),
      Fraction("--feed-guard-fraction", "RISKCAP_FEED_GUARD_FRACTION",
               "quarantine a feed with fewer rows than this fraction of the previous load",
               &S::sources, &Src::feed_guard_fraction),
      Integer("--feed-max-bytes", "RISKCAP_FEED_MAX_BYTES", 1024, int64_t{16} << 30,
              "largest feed payload (HTTP body or file) read", &S::sources, &Src::feed_limits,
              &Lim::max_bytes),
      Integer("--feed-max-rows", "RISKCAP_FEED_MAX_ROWS", 1, 1'000'000'000,
              "most rows in one feed payload", &S::sources, &Src::feed_limits, &Lim::max_rows),
      Integer("--feed-max-field-bytes", "RISKCAP_FEED_MAX_FIELD_BYTES", 64, int64_t{1} << 30,
              "longest feed cell or JSON value", &S::sources, &Src::feed_limits,
              &Lim::max_field_bytes),
      Text("--backup-url", "RISKCAP_BACKUP_URL", "URL",
           "default target of the backup job and `riskcapd backup` (a store URL)", nullptr,
           &S::backup_url),
      Text("--backup-dir", "RISKCAP_BACKUP_DIR", "DIR",
           "directory in which an ADMIN may name backup files through the API", nullptr,
           &S::backup_dir),
  };
  settings.insert(settings.end(), rest.begin(), rest.end());
  return settings;
}

std::vector<Setting> AuditAndDeliverySettings() {
  return {
      Text("--signing-key-file", "RISKCAP_SIGNING_KEY_FILE", "FILE",
           "Ed25519 key (PEM, mode 0600) signing audit checkpoints; create it with "
           "`riskcapd keys init-signing`",
           nullptr, &S::signing_key_file),
      Integer("--audit-seal-interval-ms", "RISKCAP_AUDIT_SEAL_INTERVAL_MS", 0, 60000,
              "how soon new audit records are sealed into the chain; 0: on demand only",
              &S::audit_seal_interval_ms),
      Integer("--audit-checkpoint-interval-seconds", "RISKCAP_AUDIT_CHECKPOINT_INTERVAL_SECONDS",
              0, 7 * 86400, "between two signed audit checkpoints; 0: on demand only",
              &S::audit_checkpoint_interval_seconds),
      Text("--smtp-url", "RISKCAP_SMTP_URL", "URL",
           "SMTP server for e-mail deliveries, smtp://host:port or smtps://host:port; "
           "empty: e-mail off",
           nullptr, &S::delivery, &D::smtp_url),
      Text("--smtp-from", "RISKCAP_SMTP_FROM", "ADDRESS", "sender address of e-mails", nullptr,
           &S::delivery, &D::smtp_from),
      Text("--smtp-user", "RISKCAP_SMTP_USER", "NAME", "SMTP user name", nullptr, &S::delivery,
           &D::smtp_user),
      Text("--smtp-password-file", "RISKCAP_SMTP_PASSWORD_FILE", "FILE",
           "file holding the SMTP password", nullptr, &S::delivery, &D::smtp_password_file),
      Switch("--smtp-starttls", "RISKCAP_SMTP_STARTTLS", "require STARTTLS on smtp://",
             &S::delivery, &D::smtp_starttls),
      Switch("--smtp-allow-plain", "RISKCAP_SMTP_ALLOW_PLAIN",
             "allow smtp:// without STARTTLS to a non-loopback host", &S::delivery,
             &D::smtp_allow_plain),
      Integer("--delivery-max-attempts", "RISKCAP_DELIVERY_MAX_ATTEMPTS", 1, 100,
              "attempts before a delivery is FAILED", &S::delivery, &D::max_attempts),
      Integer("--delivery-backoff-ms", "RISKCAP_DELIVERY_BACKOFF_MS", 10, 3600000,
              "delay before the first retry, doubling after each", &S::delivery, &D::backoff_ms),
      Integer("--delivery-max-backoff-ms", "RISKCAP_DELIVERY_MAX_BACKOFF_MS", 10, 86400000,
              "longest delay between two attempts", &S::delivery, &D::max_backoff_ms),
      Integer("--delivery-poll-ms", "RISKCAP_DELIVERY_POLL_MS", 50, 60000,
              "how often the delivery worker looks for due deliveries", &S::delivery,
              &D::poll_ms),
      Integer("--delivery-lease-seconds", "RISKCAP_DELIVERY_LEASE_SECONDS", 4, 3600,
              "how long a server holds a claimed delivery; sends time out at half of it",
              &S::delivery, &D::lease_seconds),
      Switch("--notify-critical-findings", "RISKCAP_NOTIFY_CRITICAL_FINDINGS",
             "deliver each new CRITICAL finding of a fund to its manager's contacts",
             &S::delivery, &D::notify_critical_findings),
  };
}

}  // namespace

const std::vector<Setting>& ServerSettings() {
  static const std::vector<Setting>* const settings = [] {
    auto* all = new std::vector<Setting>(ServeSettings());
    for (auto part : {JobSettings(), AuditAndDeliverySettings()}) {
      all->insert(all->end(), part.begin(), part.end());
    }
    return all;
  }();
  return *settings;
}

std::string SettingName(const Setting& setting) {
  return setting.flag.empty() ? setting.env : absl::StrCat(setting.flag, " / ", setting.env);
}

absl::Status ApplySetting(const Setting& setting, const std::string& text, ServerConfig& config) {
  absl::Status st = setting.set(text, config);
  if (st.ok()) return st;
  return absl::InvalidArgumentError(
      absl::StrCat(SettingName(setting), ": '", text, "' ", st.message()));
}

}  // namespace riskcap::server
