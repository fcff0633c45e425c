// The peak resident memory and CPU time of a local server process, read from /proc (Linux).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"

namespace riskcap::bench {

// VmHWM (the process's peak resident set since it started) in bytes, from the text of
// /proc/<pid>/status; nullopt when the text has no VmHWM line.
std::optional<int64_t> ParseVmHwmBytes(std::string_view proc_status);

// VmHWM of process `pid`, from /proc/<pid>/status.
absl::StatusOr<int64_t> PeakRssBytes(int64_t pid);

// User + system CPU seconds from the text of /proc/<pid>/stat (fields 14 and 15, in clock
// ticks of `ticks_per_second`); nullopt when the text is not a stat line.
std::optional<double> ParseCpuSeconds(std::string_view proc_stat, int64_t ticks_per_second);

// CPU seconds process `pid` has used so far, from /proc/<pid>/stat.
absl::StatusOr<double> CpuSeconds(int64_t pid);

}  // namespace riskcap::bench
