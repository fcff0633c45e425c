// The CSV half of row_reader.h: a header of field names, then one row per record.
#pragma once

#include <cstdint>
#include <streambuf>

#include "absl/status/statusor.h"
#include "protos/rows/row_limits.h"
#include "protos/rows/row_reader.h"

namespace riskcap::rows {

// Reads the rows into the sink and returns how many there were; with no `sink.next` the rows are
// only counted (not converted, the header not checked against a type). Errors as ReadRows.
absl::StatusOr<int64_t> ReadCsvRows(std::streambuf& in, const RowLimits& limits,
                                    const RowSink& sink);

}  // namespace riskcap::rows
