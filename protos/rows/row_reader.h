// Reads the rows of a data file — RFC 4180 CSV with a header of field names, or JSON
// {"rows": [{...}, ...]} — into riskcap.v1 messages, one row at a time: the client's data files
// and the server's feeds read the same way. The format and every rule: docs/sources.md
// "Data files".
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protos/rows/row_limits.h"

namespace riskcap::rows {

enum class RowFormat { kJson, kCsv };

// CSV for a path ending in ".csv" (any case), JSON for any other.
RowFormat FormatOfPath(std::string_view path);

// Where the rows go. `next` returns the (empty) message to fill with the next row; `done` is then
// called with the row's 0-based index, its status and the message. The status is OK, or
// InvalidArgument carrying a field violation per bad value, at "rows[<index>].<field>" (the row
// is then set as far as it could be). A non-OK return from `done` stops the reading and is
// returned by ReadRows.
struct RowSink {
  using DoneFn = std::function<absl::Status(int64_t index, const absl::Status& row_status,
                                            google::protobuf::Message& row)>;
  std::function<google::protobuf::Message*()> next;
  DoneFn done;
  // The rows' type: a CSV header is checked against it before any row is read (without it, at
  // the first row, so a file with a bad header and no rows would pass).
  const google::protobuf::Descriptor* type = nullptr;
};

// Reads every row of `in` into the sink. InvalidArgument when the input's structure is wrong
// (malformed or truncated JSON, no "rows" array, a CSV header naming no scalar field, an
// unterminated quote): rows already handed to the sink then stand, so a caller that must apply
// all or nothing collects them first. A LimitError (row_limits.h) when the input breaks a limit:
// nesting, row count, field length, text that is not UTF-8. Not thread-safe for one stream.
absl::Status ReadRows(std::istream& in, RowFormat format, const RowLimits& limits,
                      const RowSink& sink);

// The same over text in memory; text longer than limits.max_bytes is a LimitError (kTooLarge),
// refused unread.
absl::Status ReadRows(std::string_view text, RowFormat format, const RowLimits& limits,
                      const RowSink& sink);

// The file at `path` (format by FormatOfPath) into copies of `prototype`'s type, one message
// reused for every row. InvalidArgument naming the path when it cannot be opened. A CSV file is
// streamed; a JSON file is read whole, and one larger than limits.max_bytes is a LimitError
// (kTooLarge) naming the path and its size, refused before any of it is read.
absl::Status ReadRowsFile(const std::string& path, const google::protobuf::Message& prototype,
                          const RowLimits& limits, const RowSink::DoneFn& done);

// The number of rows of the file at `path` (for a progress total): the structure and limits are
// checked as by ReadRowsFile, no row is converted.
absl::StatusOr<int64_t> CountRowsFile(const std::string& path, const RowLimits& limits);

}  // namespace riskcap::rows
