// The logfmt logger: record formatting, level filtering and atomic writes to stderr.
#include "core/logger.h"

#include <atomic>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/const_init.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "core/absl_compat.h"
#include "core/date.h"

namespace riskcap {
namespace {

std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};
// Serialises writes so that records from concurrent threads never interleave.
ABSL_CONST_INIT absl::Mutex write_mu(absl::kConstInit);

bool NeedsQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (unsigned char c : value) {
    if (c <= ' ' || c == '"' || c == '=' || c == 0x7f) return true;
  }
  return false;
}

// Appends `value` in double quotes with '"', '\\' and control characters escaped, so a record
// always stays on one line and parses back unambiguously.
void AppendQuoted(std::string_view value, std::string& out) {
  out.push_back('"');
  for (unsigned char c : value) {
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (c < ' ' || c == 0x7f) {
          absl::StrAppendFormat(&out, "\\x%02x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void AppendValue(std::string_view value, std::string& out) {
  if (NeedsQuotes(value)) {
    AppendQuoted(value, out);
  } else {
    out.append(value);
  }
}

// Keys are meant to be identifiers; anything that would break key=value parsing becomes '_'.
void AppendKey(std::string_view key, std::string& out) {
  if (key.empty()) key = "_";
  for (char c : key) {
    const bool safe = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                      c == '.' || c == '-';
    out.push_back(safe ? c : '_');
  }
}

// One fwrite of the complete line, under the mutex, so concurrent records never interleave.
void WriteLine(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  std::string line = absl::StrCat("ts=", FormatTimestamp(absl::Now()), " ",
                                  FormatLogRecord(level, message, fields), "\n");
  absl::MutexLock lock(&write_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "unknown";
}

std::optional<LogLevel> LogLevelFromName(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(AbslView(name));
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    if (lower == LogLevelName(level)) return level;
  }
  return std::nullopt;
}

void SetMinLogLevel(LogLevel level) {
  min_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel MinLogLevel() { return static_cast<LogLevel>(min_level.load(std::memory_order_relaxed)); }

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < static_cast<int>(MinLogLevel())) return;
  WriteLine(level, message, fields);
}

std::string FormatLogRecord(LogLevel level, std::string_view message,
                            std::initializer_list<LogField> fields) {
  std::string out = absl::StrCat("level=", AbslView(LogLevelName(level)), " msg=");
  AppendQuoted(message, out);
  for (const LogField& field : fields) {
    out.push_back(' ');
    AppendKey(field.key, out);
    out.push_back('=');
    AppendValue(field.value, out);
  }
  return out;
}

}  // namespace riskcap
