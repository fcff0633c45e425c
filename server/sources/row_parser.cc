// Feed payload parsing: JSON through json_rows.cc; CSV through CsvReader and protobuf
// reflection, record by record.
#include "server/sources/row_parser.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/status_macros.h"
#include "core/utf8.h"
#include "server/sources/csv_reader.h"
#include "server/sources/json_rows.h"
#include "server/sources/row_cells.h"

namespace riskcap::server::sources {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// More header cells than any row message has fields: refused before they are buffered.
constexpr size_t kMaxCsvColumns = 1024;

class CsvRows {
 public:
  CsvRows(std::string_view text, const std::string& origin, const FeedLimits& limits)
      : reader_(StripByteOrderMark(text), limits.max_field_bytes),
        origin_(origin),
        limits_(limits) {}

  absl::Status Parse(const std::function<Message*()>& next_row) {
    RETURN_IF_ERROR(Read(kMaxCsvColumns, "the header"));
    if (outcome_ == CsvReader::Outcome::kEnd) {
      return absl::InvalidArgumentError(absl::StrCat(origin_, ": CSV without a header row"));
    }
    header_ = std::move(cells_);
    for (size_t c = 0; c < header_.size(); ++c) {
      RETURN_IF_ERROR(CheckUtf8(header_[c], absl::StrCat("the header's column ", c + 1)));
    }
    for (int64_t row = 0;; ++row) {
      RETURN_IF_ERROR(Read(header_.size(), absl::StrCat("rows[", row, "]")));
      if (outcome_ == CsvReader::Outcome::kEnd) return absl::OkStatus();
      if (cells_.size() == 1 && cells_[0].empty()) continue;  // blank line
      if (++rows_ > limits_.max_rows) {
        return Limit(kTooManyRows, absl::StrCat("more than ", limits_.max_rows,
                                                " rows (RISKCAP_FEED_MAX_ROWS)"));
      }
      RETURN_IF_ERROR(Row(next_row(), row));
    }
  }

 private:
  static std::string_view StripByteOrderMark(std::string_view text) {
    return text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text;
  }

  // The next record into cells_; errors for a record that breaks a limit or is cut off.
  absl::Status Read(size_t max_cells, const std::string& what) {
    outcome_ = reader_.Next(&cells_, max_cells);
    switch (outcome_) {
      case CsvReader::Outcome::kRecord:
      case CsvReader::Outcome::kEnd:
        return absl::OkStatus();
      case CsvReader::Outcome::kUnterminated:
        return absl::InvalidArgumentError(absl::StrCat(
            origin_, ": unterminated quoted CSV cell (truncated file?); nothing applied"));
      case CsvReader::Outcome::kTooManyCells:
        return absl::InvalidArgumentError(absl::StrCat(
            origin_, ": ", what, " (line ", reader_.line(), "): has more than ", max_cells,
            " cells", header_.empty() ? "" : ", the header's count", "; nothing applied"));
      case CsvReader::Outcome::kCellTooLong:
        return Limit(kFieldTooLong,
                     absl::StrCat(what, ColumnName(reader_.bad_cell()), " (line ", reader_.line(),
                                  "): a cell longer than ", limits_.max_field_bytes,
                                  " bytes (RISKCAP_FEED_MAX_FIELD_BYTES)"));
    }
    return absl::OkStatus();
  }

  absl::Status Row(Message* msg, int64_t row) {
    if (columns_.empty()) RETURN_IF_ERROR(MapColumns(msg->GetDescriptor()));
    const std::string where = absl::StrCat("rows[", row, "]");
    if (cells_.size() != columns_.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin_, ": ", where, ": has ", cells_.size(), " cells, the header ",
                       columns_.size(), " (truncated file?); nothing applied"));
    }
    for (size_t c = 0; c < columns_.size(); ++c) {
      const std::string field = absl::StrCat(where, ".", columns_[c]->name());
      RETURN_IF_ERROR(CheckUtf8(cells_[c], field));
      absl::Status s = SetCell(msg, columns_[c], cells_[c]);
      if (!s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(origin_, ": ", field, ": ", s.message()));
      }
    }
    return absl::OkStatus();
  }

  absl::Status MapColumns(const Descriptor* d) {
    for (const std::string& name : header_) {
      const FieldDescriptor* f = d->FindFieldByName(name);
      if (f == nullptr || f->is_repeated()) {
        return absl::InvalidArgumentError(absl::StrCat(
            origin_, ": unknown CSV column ", QuoteForMessage(name), " for ", d->name()));
      }
      columns_.push_back(f);
    }
    return absl::OkStatus();
  }

  absl::Status CheckUtf8(const std::string& cell, const std::string& where) {
    std::optional<size_t> bad = FindInvalidUtf8(cell);
    if (!bad) return absl::OkStatus();
    return Limit(kInvalidUtf8,
                 absl::StrFormat("%s (line %d): invalid UTF-8 (byte 0x%02X at byte %d of the "
                                 "value); feeds must be UTF-8 encoded",
                                 where, reader_.line(), static_cast<unsigned char>(cell[*bad]),
                                 *bad));
  }

  // ".<column>" for cell `c` of a data record once the header is known.
  std::string ColumnName(size_t c) const {
    if (c >= header_.size()) return absl::StrCat(" column ", c + 1);
    const std::string& name = header_[c];
    const bool plain = !name.empty() && name.size() <= 64 &&
                       std::all_of(name.begin(), name.end(), [](char ch) {
                         return absl::ascii_isalnum(static_cast<unsigned char>(ch)) || ch == '_';
                       });
    return absl::StrCat(".", plain ? name : QuoteForMessage(name));
  }

  absl::Status Limit(const char* code, const std::string& what) {
    return FeedLimitError(code, absl::StrCat(origin_, ": ", what));
  }

  CsvReader reader_;
  const std::string& origin_;
  const FeedLimits& limits_;
  CsvReader::Outcome outcome_ = CsvReader::Outcome::kEnd;
  std::vector<std::string> cells_;
  std::vector<std::string> header_;
  std::vector<const FieldDescriptor*> columns_;
  int64_t rows_ = 0;
};

}  // namespace

absl::Status ParseFeedRows(std::string_view text, FeedFormat format, const std::string& origin,
                           const std::function<Message*()>& next_row, const FeedLimits& limits) {
  if (format == FeedFormat::kJson) return ParseJsonRows(text, origin, limits, next_row);
  return CsvRows(text, origin, limits).Parse(next_row);
}

}  // namespace riskcap::server::sources
