// The project's one logger: structured single-line records (logfmt) to stderr.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace riskcap {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// One key=value field of a log record. Values that are empty or hold spaces, quotes, '=' or
// control characters are quoted and escaped. Keys are identifiers ([A-Za-z0-9_.-]); any other
// character in a key is written as '_'.
struct LogField {
  std::string_view key;
  std::string value;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  // "true"/"false" rather than the "1"/"0" the arithmetic overload would give.
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
  template <typename Number, typename = std::enable_if_t<std::is_arithmetic_v<Number>>>
  LogField(std::string_view k, Number v) : key(k), value(std::to_string(v)) {}
};

// Records below the minimum level are dropped. Default kInfo; a program sets it from its
// configuration (riskcapd: --log-level / RISKCAP_LOG_LEVEL). The logger reads no environment.
void SetMinLogLevel(LogLevel level);
LogLevel MinLogLevel();

// "debug", "info", "warning", "error": the names a configuration gives a level by.
std::string_view LogLevelName(LogLevel level);
// The level named `name` (any case), or nullopt for any other text.
std::optional<LogLevel> LogLevelFromName(std::string_view name);

// Writes `ts=<RFC3339> level=<level> msg="<message>" k=v ...` and a newline to stderr, atomically
// per record. Safe for concurrent use.
void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

// Formats a record exactly as Log writes it (without the timestamp), for tests.
std::string FormatLogRecord(LogLevel level, std::string_view message,
                            std::initializer_list<LogField> fields);

}  // namespace riskcap
