// Table rendering: aligned text, JSON, and CSV (RFC 4180 quoting, "\n" line ends).
#include "client/output.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/people_format.h"
#include "protos/rows/csv_reader.h"

namespace riskcap::client {
namespace {

constexpr absl::string_view kGap = "  ";

std::string HumanDouble(double value) {
  std::string text = absl::StrFormat("%.6f", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

// True for numbers and decimal strings such as "-1234.50": right-aligned in text tables.
bool LooksNumeric(const Json& cell) {
  if (cell.is_number()) return true;
  if (!cell.is_string()) return false;
  const std::string& s = cell.get_ref<const std::string&>();
  size_t start = !s.empty() && s[0] == '-' ? 1 : 0;
  if (start == s.size()) return false;
  bool digit_seen = false, dot_seen = false;
  for (size_t i = start; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      digit_seen = true;
    } else if (s[i] == '.' && !dot_seen) {
      dot_seen = true;
    } else {
      return false;
    }
  }
  return digit_seen;
}

bool IsBlank(const Json& cell) {
  return cell.is_null() || (cell.is_string() && cell.get_ref<const std::string&>().empty());
}

// Columns a cell takes on a terminal: its UTF-8 code points ("Ações" is 5, not 7 bytes).
size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80 ? 1 : 0;
  return width;
}

// Writes lines of cells padded to their column's width; `right[c]` right-aligns column c.
void WriteAligned(const std::vector<std::vector<std::string>>& lines,
                  const std::vector<bool>& right, std::ostream& out) {
  std::vector<size_t> width(right.size(), 0);
  for (const auto& line : lines) {
    for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], DisplayWidth(line[c]));
  }
  for (const auto& line : lines) {
    std::string text;
    for (size_t c = 0; c < line.size(); ++c) {
      std::string pad(width[c] - DisplayWidth(line[c]), ' ');
      absl::StrAppend(&text, c == 0 ? "" : kGap, right[c] ? pad : "", line[c], right[c] ? "" : pad);
    }
    out << std::string_view(text).substr(0, text.find_last_not_of(' ') + 1) << "\n";
  }
}

void RenderRows(const Table& table, std::ostream& out) {
  std::vector<size_t> shown;
  for (size_t c = 0; c < table.columns().size(); ++c) {
    if (!table.hidden_in_text_rows(c)) shown.push_back(c);
  }
  std::vector<std::vector<std::string>> lines(1);
  std::vector<bool> right;
  for (size_t c : shown) {
    lines[0].push_back(absl::AsciiStrToUpper(table.columns()[c]));
    bool numeric = false, other = false;
    for (const auto& row : table.rows()) {
      if (IsBlank(row[c])) continue;
      (LooksNumeric(row[c]) ? numeric : other) = true;
    }
    right.push_back(numeric && !other);
  }
  for (const auto& row : table.rows()) {
    lines.emplace_back();
    for (size_t c : shown) lines.back().push_back(PeopleText(table.columns()[c], row[c]));
  }
  WriteAligned(lines, right, out);
}

void RenderRecord(const Table& table, std::ostream& out) {
  for (size_t r = 0; r < table.rows().size(); ++r) {
    if (r > 0) out << "\n";
    std::vector<std::vector<std::string>> lines;
    for (size_t c = 0; c < table.columns().size(); ++c) {
      lines.push_back({table.columns()[c], PeopleText(table.columns()[c], table.rows()[r][c])});
    }
    WriteAligned(lines, {false, false}, out);
  }
}

void RenderCsv(const Table& table, std::ostream& out) {
  auto write_line = [&out](const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
      out << (i == 0 ? "" : ",") << rows::CsvCell(fields[i]);
    }
    out << "\n";
  };
  write_line(table.columns());
  for (const auto& row : table.rows()) {
    std::vector<std::string> fields;
    for (const Json& cell : row) fields.push_back(CellText(cell, false));
    write_line(fields);
  }
}

}  // namespace

Table::Table(std::vector<std::string> columns, Layout layout)
    : columns_(std::move(columns)), hidden_(columns_.size(), false), layout_(layout) {}

Table& Table::HideBlankInTextRows(const std::vector<std::string>& columns) {
  for (const std::string& column : columns) {
    auto at = std::find(columns_.begin(), columns_.end(), column);
    if (at == columns_.end()) continue;
    const size_t c = static_cast<size_t>(at - columns_.begin());
    bool blank = true;
    for (const auto& row : rows_) {
      const Json& cell = row[c];
      if (!(cell.is_null() || (cell.is_string() && cell.get<std::string>().empty()) ||
            (cell.is_number() && cell.get<double>() == 0))) {
        blank = false;
        break;
      }
    }
    if (blank) hidden_[c] = true;
  }
  return *this;
}

Table& Table::HideInTextRows(std::string_view column) {
  auto it = std::find(columns_.begin(), columns_.end(), column);
  if (it != columns_.end()) hidden_[it - columns_.begin()] = true;
  return *this;
}

void Table::AddRow(std::vector<Json> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

Json Table::ToJson() const {
  Json array = Json::array();
  for (const auto& row : rows_) {
    Json object = Json::object();
    for (size_t c = 0; c < columns_.size(); ++c) object[columns_[c]] = row[c];
    array.push_back(std::move(object));
  }
  if (layout_ == Layout::kRows) return array;
  return array.empty() ? Json() : array[0];
}

std::string CellText(const Json& cell, bool for_humans) {
  if (cell.is_null()) return "";
  if (cell.is_string()) return cell.get<std::string>();
  if (for_humans && cell.is_number_float()) return HumanDouble(cell.get<double>());
  if (for_humans && cell.is_array()) {  // e.g. a list of messages: "k=v k=v; k=v k=v"
    std::vector<std::string> items;
    for (const Json& item : cell) {
      if (!item.is_object()) {
        items.push_back(CellText(item, true));
        continue;
      }
      std::vector<std::string> fields;
      for (auto field = item.begin(); field != item.end(); ++field) {
        fields.push_back(absl::StrCat(field.key(), "=", CellText(field.value(), true)));
      }
      items.push_back(absl::StrJoin(fields, " "));
    }
    return absl::StrJoin(items, "; ");
  }
  return cell.dump();
}

RowStream::RowStream(const Table& table, OutputFormat format, std::ostream& out)
    : layout_(table.columns()), format_(format), out_(out) {
  for (size_t c = 0; c < table.columns().size(); ++c) {
    if (table.hidden_in_text_rows(c)) layout_.HideInTextRows(table.columns()[c]);
  }
}

void RowStream::Add(const std::vector<Json>& cells) {
  Table row(layout_.columns());
  for (size_t c = 0; c < layout_.columns().size(); ++c) {
    if (layout_.hidden_in_text_rows(c)) row.HideInTextRows(layout_.columns()[c]);
  }
  row.AddRow(cells);
  if (format_ == OutputFormat::kJson) {
    out_ << row.ToJson()[0].dump() << "\n";
  } else if (format_ == OutputFormat::kCsv) {
    std::ostringstream text;
    RenderCsv(row, text);
    std::string lines = text.str();
    out_ << (header_written_ ? lines.substr(lines.find('\n') + 1) : lines);
  } else {
    std::string line;
    for (size_t c = 0; c < cells.size() && c < layout_.columns().size(); ++c) {
      if (layout_.hidden_in_text_rows(c)) continue;
      absl::StrAppend(&line, line.empty() ? "" : kGap,
                      PeopleText(layout_.columns()[c], row.rows()[0][c]));
    }
    out_ << line << "\n";
  }
  header_written_ = true;
  out_.flush();
}

void Render(const Table& table, OutputFormat format, std::ostream& out, const Json* document) {
  switch (format) {
    case OutputFormat::kJson:
      out << (document != nullptr ? *document : table.ToJson()).dump(2) << "\n";
      return;
    case OutputFormat::kCsv:
      RenderCsv(table, out);
      return;
    case OutputFormat::kTable:
      if (table.layout() == Table::Layout::kRecord) {
        RenderRecord(table, out);
      } else {
        RenderRows(table, out);
      }
      return;
  }
}

}  // namespace riskcap::client
