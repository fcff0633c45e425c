// RFC 4180 records, one at a time.
#include "server/sources/csv_reader.h"

namespace riskcap::server::sources {

void CsvReader::EndLine() {
  if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
  ++pos_;
  ++next_line_;
}

CsvReader::Outcome CsvReader::Next(std::vector<std::string>* cells, size_t max_cells) {
  cells->clear();
  record_line_ = next_line_;
  if (pos_ >= text_.size()) return Outcome::kEnd;
  std::string cell;
  bool quoted = false;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (quoted) {
      ++pos_;
      if (c == '\n') ++next_line_;
      if (c != '"') {
        cell.push_back(c);
      } else if (pos_ < text_.size() && text_[pos_] == '"') {
        cell.push_back('"');
        ++pos_;
      } else {
        quoted = false;
      }
    } else if (c == '\n' || c == '\r') {
      EndLine();
      cells->push_back(std::move(cell));
      return Outcome::kRecord;
    } else {
      ++pos_;
      if (c == '"') {
        quoted = true;
      } else if (c != ',') {
        cell.push_back(c);
      } else if (cells->size() + 1 >= max_cells) {
        return Outcome::kTooManyCells;
      } else {
        cells->push_back(std::move(cell));
        cell.clear();
      }
    }
    if (cell.size() > max_cell_bytes_) {
      bad_cell_ = cells->size();
      return Outcome::kCellTooLong;
    }
  }
  if (quoted) return Outcome::kUnterminated;
  cells->push_back(std::move(cell));
  return Outcome::kRecord;
}

}  // namespace riskcap::server::sources
