// A positions batch (one positions snapshot version of a reference date) is loaded in two parts:
// the `positions` job supplies every row that is not an OTC swap (OTC options, offshore funds,
// foreign investments, other), the `swaps` job the OTC_SWAP rows. Each job writes a whole new
// version: its fresh part plus the other part carried over unchanged from the current version of
// the SAME reference date. So every version is one consistent batch, re-running either job with
// the same inputs is a no-op (same content hash), and exposure_snapshot reads one complete batch.
// A version that has no swap part yet (the positions part was loaded first on a new date) says
// so in its source ("... swaps pending"); exposure_snapshot refuses it until swaps has run.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/position.h"
#include "server/jobs/job.h"
#include "server/sources/feed_source.h"

namespace riskcap::server::jobs {

// Marks a positions version whose swap part has not been loaded.
inline constexpr char kSwapsPending[] = "swaps pending";

enum class BatchPart { kPositions, kSwaps };

// Fetches the part from `config`'s source, validates it, guards it against the previous load of
// the same part (empty; OTC options or offshore funds vanished; fewer rows than the configured
// fraction), merges it with the other part of the current version and writes the batch when it
// changed. Push: confirms an uploaded positions version exists.
absl::StatusOr<JobOutput> LoadBatchPart(JobContext& context, const sources::SourceConfig& config,
                                        BatchPart part);

// Every row of a positions version, in load order.
absl::StatusOr<std::vector<Position>> ReadAllPositions(db::Store& store, int64_t version_id);

}  // namespace riskcap::server::jobs
