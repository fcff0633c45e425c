// A version of a snapshot: one complete, immutable load of one kind for one reference date.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "core/date.h"
#include "core/enums.h"

namespace riskcap {

// Loads never overwrite: each load is a new version; the current one is the highest version of
// its (kind, reference date). Rows of every snapshot table point at their version's id.
struct SnapshotVersion {
  int64_t id = 0;  // store-assigned
  SnapshotKind kind = SnapshotKind::kNavSnapshot;
  Date reference_date;
  int32_t version = 0;            // 1, 2, ... within (kind, reference_date); store-assigned
  std::string content_hash;       // hex SHA-256 of the canonical serialisation of the rows
  int64_t row_count = 0;
  std::optional<int64_t> job_run_id;  // the run that produced it, if any
  std::string source;                 // e.g. "file:navs.csv", "upstream", "grpc"
  absl::Time created_at;
};

}  // namespace riskcap
