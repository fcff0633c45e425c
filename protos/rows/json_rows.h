// The JSON half of row_reader.h: simdjson's on-demand parser walks {"rows": [...]} in one buffer
// holding the whole text (a padded copy), and each row is set and handed on as it is read.
#pragma once

#include <cstdint>
#include <istream>
#include <string_view>

#include "absl/status/statusor.h"
#include "protos/rows/row_limits.h"
#include "protos/rows/row_reader.h"

namespace riskcap::rows {

// Reads the rows into the sink and returns how many there were; with no `sink.next` the rows are
// only counted (not converted, `done` not called). Errors as ReadRows. The stream is read whole
// first: more than limits.max_bytes of it is a LimitError (kTooLarge).
absl::StatusOr<int64_t> ReadJsonRows(std::istream& in, const RowLimits& limits,
                                     const RowSink& sink);
absl::StatusOr<int64_t> ReadJsonRows(std::string_view text, const RowLimits& limits,
                                     const RowSink& sink);

}  // namespace riskcap::rows
