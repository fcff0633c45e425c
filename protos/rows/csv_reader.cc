// RFC 4180 records, one at a time.
#include "protos/rows/csv_reader.h"

namespace riskcap::rows {

CsvReader::Outcome CsvReader::Next(std::vector<std::string>* cells, size_t max_cells) {
  using Traits = std::streambuf::traits_type;
  record_line_ = next_line_;
  int c = in_.sbumpc();
  if (c == Traits::eof()) {
    cells->clear();
    return Outcome::kEnd;
  }
  // Cells are written over the last record's strings, keeping their buffers: no allocation per
  // cell once the records' shape repeats.
  size_t count = 0;
  std::string* cell = NextCell(cells, &count);
  bool quoted = false;
  for (; c != Traits::eof(); c = in_.sbumpc()) {
    if (quoted) {
      if (c == '\n') ++next_line_;
      if (c != '"') {
        cell->push_back(static_cast<char>(c));
      } else if (in_.sgetc() == '"') {
        cell->push_back('"');
        in_.sbumpc();
      } else {
        quoted = false;
      }
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && in_.sgetc() == '\n') in_.sbumpc();
      ++next_line_;
      cells->resize(count);
      return Outcome::kRecord;
    } else if (c == '"') {
      quoted = true;
    } else if (c != ',') {
      cell->push_back(static_cast<char>(c));
    } else if (count >= max_cells) {
      return Outcome::kTooManyCells;
    } else {
      cell = NextCell(cells, &count);
    }
    if (cell->size() > max_cell_bytes_) {
      bad_cell_ = count - 1;
      return Outcome::kCellTooLong;
    }
  }
  cells->resize(count);
  if (quoted) return Outcome::kUnterminated;
  return Outcome::kRecord;
}

std::string* CsvReader::NextCell(std::vector<std::string>* cells, size_t* count) {
  if (*count == cells->size()) cells->emplace_back();
  std::string* cell = &(*cells)[(*count)++];
  cell->clear();
  return cell;
}

std::string CsvCell(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

}  // namespace riskcap::rows
