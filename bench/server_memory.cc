// VmHWM from /proc/<pid>/status.
#include "bench/server_memory.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/absl_compat.h"

namespace riskcap::bench {

std::optional<int64_t> ParseVmHwmBytes(std::string_view proc_status) {
  for (absl::string_view line : absl::StrSplit(AbslView(proc_status), '\n')) {
    if (!absl::ConsumePrefix(&line, "VmHWM:")) continue;
    line = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumeSuffix(&line, "kB")) return std::nullopt;
    int64_t kb = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kb)) return std::nullopt;
    return kb * 1024;
  }
  return std::nullopt;
}

namespace {

absl::StatusOr<std::string> ReadProcFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<double> ParseCpuSeconds(std::string_view proc_stat, int64_t ticks_per_second) {
  // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis.
  const size_t close = proc_stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  std::vector<absl::string_view> fields =
      absl::StrSplit(AbslView(proc_stat.substr(close + 1)), ' ', absl::SkipEmpty());
  // fields[0] is field 3 (state): utime (14) and stime (15) are fields[11] and fields[12].
  int64_t user = 0, system = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &user) ||
      !absl::SimpleAtoi(fields[12], &system)) {
    return std::nullopt;
  }
  return static_cast<double>(user + system) / static_cast<double>(ticks_per_second);
}

absl::StatusOr<double> CpuSeconds(int64_t pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/stat");
  absl::StatusOr<std::string> text = ReadProcFile(path);
  if (!text.ok()) return text.status();
  std::optional<double> seconds = ParseCpuSeconds(*text, ::sysconf(_SC_CLK_TCK));
  if (!seconds) return absl::InternalError(absl::StrCat(path, " is not a stat line"));
  return *seconds;
}

absl::StatusOr<int64_t> PeakRssBytes(int64_t pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/status");
  absl::StatusOr<std::string> text = ReadProcFile(path);
  if (!text.ok()) return text.status();
  std::optional<int64_t> bytes = ParseVmHwmBytes(*text);
  if (!bytes) return absl::InternalError(absl::StrCat(path, " has no VmHWM line"));
  return *bytes;
}

}  // namespace riskcap::bench
