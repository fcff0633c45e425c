// CSV rows: the header maps columns to fields once, then each record's cells are set through the
// same text rules as JSON scalars (field_text.h).
#include "protos/rows/csv_rows.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/field_errors.h"
#include "core/status_macros.h"
#include "core/utf8.h"
#include "protos/rows/csv_reader.h"
#include "protos/rows/field_text.h"

namespace riskcap::rows {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// More header cells than any row message has fields: refused before they are buffered.
constexpr size_t kMaxCsvColumns = 1024;

std::string RowPath(int64_t index) { return absl::StrCat("rows[", index, "]"); }

class CsvRows {
 public:
  CsvRows(std::streambuf& in, const RowLimits& limits, const RowSink& sink)
      : reader_(in, limits.max_field_bytes), limits_(limits), sink_(sink) {}

  absl::StatusOr<int64_t> Read() {
    RETURN_IF_ERROR(Next(kMaxCsvColumns, "the header"));
    if (outcome_ == CsvReader::Outcome::kEnd) {
      return absl::InvalidArgumentError("CSV without a header row");
    }
    RETURN_IF_ERROR(TakeHeader());
    if (sink_.next && sink_.type != nullptr) RETURN_IF_ERROR(MapColumns(*sink_.type));
    int64_t rows = 0;
    for (;;) {
      RETURN_IF_ERROR(Next(header_.size(), RowPath(rows)));
      if (outcome_ == CsvReader::Outcome::kEnd) return rows;
      if (cells_.size() == 1 && cells_[0].empty()) continue;  // a blank line
      if (rows >= limits_.max_rows) {
        return LimitError(kTooManyRows, absl::StrCat("more than ", limits_.max_rows,
                                                     " rows (RISKCAP_FEED_MAX_ROWS)"));
      }
      for (size_t c = 0; c < cells_.size(); ++c) RETURN_IF_ERROR(CheckUtf8(c, rows));
      if (sink_.next) RETURN_IF_ERROR(Row(rows));
      ++rows;
    }
  }

 private:
  // The header: a spreadsheet's byte order mark and spaces around names are dropped.
  absl::Status TakeHeader() {
    header_ = std::move(cells_);
    if (absl::StartsWith(header_[0], "\xEF\xBB\xBF")) header_[0].erase(0, 3);
    for (size_t c = 0; c < header_.size(); ++c) {
      if (std::optional<size_t> bad = FindInvalidUtf8(header_[c])) {
        return NotUtf8(absl::StrCat("the header's column ", c + 1), header_[c], *bad);
      }
      absl::StripAsciiWhitespace(&header_[c]);
    }
    return absl::OkStatus();
  }

  absl::Status Row(int64_t index) {
    Message* row = sink_.next();
    if (columns_.empty()) RETURN_IF_ERROR(MapColumns(*row->GetDescriptor()));
    FieldErrors errors;
    if (cells_.size() != columns_.size()) {
      errors.Add(RowPath(index), absl::StrCat("has ", cells_.size(), " cells, the header ",
                                              columns_.size(), " (line ", reader_.line(), ")"));
    } else {
      for (size_t c = 0; c < columns_.size(); ++c) {
        absl::Status set = fields_->Set(*row, *columns_[c], cells_[c]);
        if (!set.ok()) {  // the path is built for a bad cell only: this is the hot loop
          errors.AddStatus(absl::StrCat(RowPath(index), ".", columns_[c]->name()), set);
        }
      }
    }
    return sink_.done(index, errors.ToStatus(), *row);
  }

  absl::Status MapColumns(const Descriptor& type) {
    fields_.emplace(type);
    for (const std::string& name : header_) {
      const FieldDescriptor* field = fields_->Find(name);
      if (field == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("unknown CSV column ",
                                                       QuoteForMessage(name), ": columns are ",
                                                       type.name(), " field names"));
      }
      if (!IsScalarField(*field)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "CSV column ", QuoteForMessage(name), " is not a scalar field; use a JSON file"));
      }
      columns_.push_back(field);
    }
    return absl::OkStatus();
  }

  // The next record into cells_; errors for a record that breaks a limit or is cut off.
  absl::Status Next(size_t max_cells, const std::string& what) {
    outcome_ = reader_.Next(&cells_, max_cells);
    switch (outcome_) {
      case CsvReader::Outcome::kRecord:
      case CsvReader::Outcome::kEnd:
        return absl::OkStatus();
      case CsvReader::Outcome::kUnterminated:
        return absl::InvalidArgumentError(absl::StrCat(
            what, " (line ", reader_.line(), "): a quoted cell is not closed (truncated file?)"));
      case CsvReader::Outcome::kTooManyCells:
        return absl::InvalidArgumentError(
            absl::StrCat(what, " (line ", reader_.line(), "): has more than ", max_cells,
                         " cells", header_.empty() ? "" : ", the header's count"));
      case CsvReader::Outcome::kCellTooLong:
        return LimitError(kFieldTooLong,
                          absl::StrCat(what, ColumnName(reader_.bad_cell()), " (line ",
                                       reader_.line(), "): a cell longer than ",
                                       limits_.max_field_bytes,
                                       " bytes (RISKCAP_FEED_MAX_FIELD_BYTES)"));
    }
    return absl::OkStatus();
  }

  // Cell `c` of data row `row` must be UTF-8.
  absl::Status CheckUtf8(size_t c, int64_t row) {
    std::optional<size_t> bad = FindInvalidUtf8(cells_[c]);
    if (!bad) return absl::OkStatus();
    return NotUtf8(absl::StrCat(RowPath(row), ColumnName(c)), cells_[c], *bad);
  }
  absl::Status NotUtf8(const std::string& where, const std::string& cell, size_t bad) {
    return LimitError(kInvalidUtf8,
                      absl::StrFormat("%s (line %d): invalid UTF-8 (byte 0x%02X at byte %d of the "
                                      "value); data files must be UTF-8 encoded",
                                      where, reader_.line(),
                                      static_cast<unsigned char>(cell[bad]), bad));
  }

  // ".<column>" for cell `c` of a data record once the header is known.
  std::string ColumnName(size_t c) const {
    if (c >= header_.size()) return absl::StrCat(" column ", c + 1);
    return absl::StrCat(".", NameInPath(header_[c]));
  }

  CsvReader reader_;
  const RowLimits& limits_;
  const RowSink& sink_;
  CsvReader::Outcome outcome_ = CsvReader::Outcome::kEnd;
  std::vector<std::string> cells_;
  std::vector<std::string> header_;
  std::vector<const FieldDescriptor*> columns_;
  std::optional<RowFields> fields_;  // of the rows' type, once the columns are mapped
};

}  // namespace

absl::StatusOr<int64_t> ReadCsvRows(std::streambuf& in, const RowLimits& limits,
                                    const RowSink& sink) {
  return CsvRows(in, limits, sink).Read();
}

}  // namespace riskcap::rows
