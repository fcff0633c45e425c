// riskcapd configuration: the settings' flags, their resolution over the environment, and the
// checks across settings.
#include "server/daemon/config.h"

#include <arpa/inet.h>

#include <CLI/CLI.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace riskcap::server {
namespace {

// The host part of host:port, without IPv6 brackets.
std::string HostOf(const std::string& listen) {
  if (absl::StartsWith(listen, "[")) {
    size_t end = listen.find(']');
    return end == std::string::npos ? listen : listen.substr(1, end - 1);
  }
  size_t colon = listen.rfind(':');
  return colon == std::string::npos ? listen : listen.substr(0, colon);
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

}  // namespace

ConfigFlags::ConfigFlags(CLI::App& app) {
  const ServerConfig defaults;
  for (const Setting& s : ServerSettings()) {
    if (s.flag.empty()) {  // a secret: never on a command line, where `ps` would show it
      options_.emplace_back(&s, nullptr);
      continue;
    }
    const std::string help = absl::StrCat(s.help, " (env ", s.env, ")");
    CLI::Option* option = s.is_switch ? app.add_flag(s.flag, help) : app.add_option(s.flag, help);
    if (!s.is_switch) option->type_name(s.type)->default_str(s.get(defaults));
    options_.emplace_back(&s, option);
  }
}

absl::Status ConfigFlags::Resolve(const Getenv& getenv, ServerConfig* config) const {
  for (const auto& [setting, option] : options_) {
    std::string text;
    if (option != nullptr && option->count() > 0) {
      text = option->results().back();  // a switch given alone reads "true"
    } else if (const char* value = getenv(setting->env.c_str());
               value != nullptr && *value != '\0') {  // empty: unset, as CLI11's envname has it
      text = value;
    } else {
      continue;
    }
    if (absl::Status st = ApplySetting(*setting, text, *config); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status LoadConfig(const std::vector<std::string>& args, const Getenv& getenv,
                        ServerConfig* config) {
  CLI::App app;
  ConfigFlags flags(app);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 parses from the back
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return absl::InvalidArgumentError(e.what());
  }
  return flags.Resolve(getenv, config);
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
    return absl::InvalidArgumentError(
        "must be PORT, :PORT or HOST:PORT with a port in [0, 65535] (IPv6 as [ADDR]:PORT)");
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
  if (auto st = ValidateDeliveryConfig(c.delivery); !st.ok()) return st;
  return ValidateStreamLimits(c);
}

}  // namespace riskcap::server
