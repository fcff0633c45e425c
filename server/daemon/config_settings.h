// Every riskcapd setting, declared once: its flag, its environment variable, its help, and the
// parser that checks a value and stores it in a ServerConfig. Defaults are ServerConfig's own.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace riskcap::server {

struct ServerConfig;

struct Setting {
  std::string flag;  // "--listen"; empty for a secret, which only the environment may carry
  std::string env;   // "RISKCAP_LISTEN"
  std::string type;  // what --help shows for the value: "INT", "HOST:PORT", ...
  bool is_switch = false;  // a flag that means "true" when given alone (--flag=false also works)
  std::string help;        // what it sets, with the accepted values
  // Checks `text` and stores it in `config`; a bad value is InvalidArgument saying what is
  // accepted (ApplySetting adds the setting's names and the value).
  std::function<absl::Status(const std::string& text, ServerConfig& config)> set;
  // The setting's value in `config`, as text `set` accepts (--help shows the default's).
  std::function<std::string(const ServerConfig& config)> get;
};

// Every setting, in the order --help lists them. Built once; safe for concurrent use.
const std::vector<Setting>& ServerSettings();

// How messages name a setting: "--listen / RISKCAP_LISTEN", or the variable alone for a secret.
std::string SettingName(const Setting& setting);

// Stores `text` in `config` through the setting's parser. A bad value is InvalidArgument
// "<SettingName>: '<text>' <what is accepted>", the same whether it came from the flag or the
// environment.
absl::Status ApplySetting(const Setting& setting, const std::string& text, ServerConfig& config);

}  // namespace riskcap::server
