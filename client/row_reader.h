// Reads the rows of a data file (CSV or {"rows": [...]} JSON, per docs/cli.md "Data files") into
// API messages one at a time, so that files of any size stream with bounded memory.
#pragma once

#include <google/protobuf/message.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace riskcap::client {

// RFC 4180 records from a stream: quoted fields may hold commas, quotes ("") and line breaks;
// CRLF and LF line ends both work. Not thread-safe.
class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}
  // The next record into `fields`; false at the end of input. InvalidArgument on an unterminated
  // quote.
  absl::StatusOr<bool> Next(std::vector<std::string>& fields);
  // 1-based line number where the last record returned started.
  int64_t line() const { return record_line_; }

 private:
  std::istream& in_;
  int64_t next_line_ = 1;
  int64_t record_line_ = 0;
};

// Sets the fields of `row` named by `columns` from `cells` (empty cell = unset): integers,
// doubles, booleans (true/false), strings, enums by name (full, "POSITION_CLASSIFICATION_OTC_SWAP",
// or short, "OTC_SWAP"; any case) and google.protobuf wrappers. Failures are InvalidArgument
// field violations at "<path>.<column>".
absl::Status SetFieldsFromText(const std::vector<std::string>& columns,
                               const std::vector<std::string>& cells, const std::string& path,
                               google::protobuf::Message& row);

// InvalidArgument naming the first column of `columns` that is not a scalar field of `type`.
absl::Status CheckCsvColumns(const std::vector<std::string>& columns,
                             const google::protobuf::Descriptor& type);

// Called once per row with its 0-based index, the row parsed into a message of the prototype's
// type, and whether it could be read (when not OK, a field violation at "rows[<index>]..." and
// `row` partially set). A non-OK return stops the reading and is returned by ReadRows.
using RowSink = std::function<absl::Status(int64_t index, const absl::Status& row_status,
                                           google::protobuf::Message& row)>;

// Reads `path` (".csv" as CSV, anything else as JSON) row by row into copies of `prototype`'s
// type. InvalidArgument when the file cannot be opened or its structure is wrong (malformed JSON,
// no "rows" array, an unknown CSV column); per-row value errors go to the sink.
absl::Status ReadRows(const std::string& path, const google::protobuf::Message& prototype,
                      const RowSink& sink);

// The number of rows of `path` (CSV records after the header, or elements of "rows"), for a
// progress total; reads the file without converting rows.
absl::StatusOr<int64_t> CountRows(const std::string& path);

}  // namespace riskcap::client
