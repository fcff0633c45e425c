// The row reader's entry points: the format picks the CSV or JSON half, text in memory is read in
// place, CSV files are streamed and JSON files read whole (within limits.max_bytes).
#include "protos/rows/row_reader.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <streambuf>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "protos/rows/csv_rows.h"
#include "protos/rows/json_rows.h"

namespace riskcap::rows {
namespace {

// Text in memory as a stream buffer, read in place (no copy).
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view text) {
    char* begin = const_cast<char*>(text.data());  // only ever read
    setg(begin, begin, begin + text.size());
  }
};

absl::StatusOr<int64_t> Read(std::istream& in, RowFormat format, const RowLimits& limits,
                             const RowSink& sink) {
  if (format == RowFormat::kCsv) return ReadCsvRows(*in.rdbuf(), limits, sink);
  return ReadJsonRows(in, limits, sink);
}

absl::StatusOr<int64_t> ReadFile(const std::string& path, const RowLimits& limits,
                                 const RowSink& sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot open '", path, "'"));
  if (FormatOfPath(path) == RowFormat::kJson) {  // refused unread rather than held past the limit
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    if (!error && size > static_cast<std::uintmax_t>(limits.max_bytes)) {
      return LimitError(kTooLarge,
                        absl::StrCat("'", path, "' holds ", size, " bytes, more than the ",
                                     limits.max_bytes,
                                     " a JSON data file may hold; split it or write it as CSV"));
    }
  }
  return Read(in, FormatOfPath(path), limits, sink);
}

}  // namespace

RowFormat FormatOfPath(std::string_view path) {
  return absl::EndsWithIgnoreCase(AbslView(path), ".csv") ? RowFormat::kCsv : RowFormat::kJson;
}

absl::Status ReadRows(std::istream& in, RowFormat format, const RowLimits& limits,
                      const RowSink& sink) {
  return Read(in, format, limits, sink).status();
}

absl::Status ReadRows(std::string_view text, RowFormat format, const RowLimits& limits,
                      const RowSink& sink) {
  if (static_cast<int64_t>(text.size()) > limits.max_bytes) {
    return LimitError(kTooLarge, absl::StrCat(text.size(), " bytes, more than ", limits.max_bytes,
                                              " (RISKCAP_FEED_MAX_BYTES)"));
  }
  if (format == RowFormat::kJson) return ReadJsonRows(text, limits, sink).status();
  ViewBuffer buffer(text);
  return ReadCsvRows(buffer, limits, sink).status();
}

absl::Status ReadRowsFile(const std::string& path, const google::protobuf::Message& prototype,
                          const RowLimits& limits, const RowSink::DoneFn& done) {
  std::unique_ptr<google::protobuf::Message> row(prototype.New());
  RowSink sink{[&row]() {
                 row->Clear();
                 return row.get();
               },
               done, prototype.GetDescriptor()};
  return ReadFile(path, limits, sink).status();
}

absl::StatusOr<int64_t> CountRowsFile(const std::string& path, const RowLimits& limits) {
  return ReadFile(path, limits, RowSink{});
}

}  // namespace riskcap::rows
