// Reads RFC 4180 CSV one record at a time from a stream, never holding more than one record, and
// stops at the first cell or record that breaks a limit instead of buffering it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

namespace riskcap::rows {

// Quoted cells may hold commas, quotes ("") and line breaks; CRLF, LF and CR end a record.
// Not thread-safe; `in` must outlive the reader.
class CsvReader {
 public:
  enum class Outcome {
    kRecord,        // *cells holds the next record
    kEnd,           // no more input
    kUnterminated,  // a quoted cell runs to the end of the input (a truncated file?)
    kCellTooLong,   // cell number bad_cell() holds more than max_cell_bytes
    kTooManyCells,  // the record has more than max_cells cells
  };

  CsvReader(std::streambuf& in, int64_t max_cell_bytes)
      : in_(in), max_cell_bytes_(static_cast<size_t>(max_cell_bytes)) {}

  // Reads the next record into `cells` (cleared first), with at most `max_cells` (>= 1) cells.
  // After any outcome but kRecord the reader is spent: stop reading (and `cells` is unspecified).
  Outcome Next(std::vector<std::string>* cells, size_t max_cells);

  // The 0-based index of the cell that stopped the last Next() with kCellTooLong.
  size_t bad_cell() const { return bad_cell_; }
  // The 1-based line on which the last record read (or attempted) starts.
  int64_t line() const { return record_line_; }

 private:
  // Cell number *count of `cells`, emptied with its buffer kept; *count then counts it.
  static std::string* NextCell(std::vector<std::string>* cells, size_t* count);

  std::streambuf& in_;
  size_t max_cell_bytes_;
  int64_t next_line_ = 1;
  int64_t record_line_ = 0;
  size_t bad_cell_ = 0;
};

// `text` as one cell of a record CsvReader reads back as `text`: as it is, or quoted (quotes
// doubled) when it holds a comma, a quote or a line break.
std::string CsvCell(std::string_view text);

}  // namespace riskcap::rows
