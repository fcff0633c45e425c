// VmHWM from /proc/<pid>/status.
#include "bench/server_memory.h"

#include <fstream>
#include <sstream>
#include <string>

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

absl::StatusOr<int64_t> PeakRssBytes(int64_t pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/status");
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  std::optional<int64_t> bytes = ParseVmHwmBytes(text.str());
  if (!bytes) return absl::InternalError(absl::StrCat(path, " has no VmHWM line"));
  return *bytes;
}

}  // namespace riskcap::bench
