// Generated positions as a feed payload, the text a data job receives: JSON {"rows": [...]}
// (protobuf's JSON mapping, field names as in the proto) or CSV with a header of every scalar
// field. For timing the feed reader on the same rows in both formats.
#pragma once

#include <cstdint>
#include <string>

#include "bench/row_generator.h"

namespace riskcap::bench {

enum class FeedTextFormat { kJson, kCsv };

// Positions 0..rows-1 of `plan` (GeneratePosition) as one payload.
std::string PositionsFeedText(const RowPlan& plan, int64_t rows, FeedTextFormat format);

}  // namespace riskcap::bench
