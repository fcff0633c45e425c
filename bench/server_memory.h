// The peak resident memory of a local server process, read from /proc (Linux).
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

}  // namespace riskcap::bench
