// What commands print on stdout: one Table, rendered as an aligned text table (the default), as
// JSON or as CSV (--output table|json|csv).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace riskcap::client {

// JSON that keeps keys in insertion order, as documented output formats list them.
using Json = nlohmann::ordered_json;

enum class OutputFormat { kTable, kJson, kCsv };

// Named columns and rows of cells. Cells are JSON values so that JSON output keeps their types
// (ids as numbers, money as the server's exact decimal strings, absent values as null); text and
// CSV print strings verbatim and null as an empty cell. Not thread-safe.
class Table {
 public:
  enum class Layout {
    kRows,    // a list: a JSON array of objects; text prints one line per row
    kRecord,  // one resource: a JSON object; text prints one "column  value" line per column
  };

  explicit Table(std::vector<std::string> columns, Layout layout = Layout::kRows);

  // Leaves `column` out of the text rendering of kRows tables (long free text, hashes); JSON, CSV
  // and kRecord text still show it.
  Table& HideInTextRows(std::string_view column);
  // Hides each of `columns` from the text rendering of kRows tables when every row's cell is
  // blank (null, "" or 0): a column that would only say "none". Call after adding the rows.
  Table& HideBlankInTextRows(const std::vector<std::string>& columns);
  // Appends a row with one cell per column, in column order.
  void AddRow(std::vector<Json> cells);

  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::vector<Json>>& rows() const { return rows_; }
  Layout layout() const { return layout_; }
  bool hidden_in_text_rows(size_t column) const { return hidden_[column]; }

  // An array of {column: cell} objects; for kRecord, the first row's object (null when empty).
  Json ToJson() const;

 private:
  std::vector<std::string> columns_;
  std::vector<bool> hidden_;
  std::vector<std::vector<Json>> rows_;
  Layout layout_;
};

// Writes `table` to `out` in `format`. For kJson, `document` (when not null) is printed instead of
// table.ToJson(): for commands whose JSON has a documented nested shape.
void Render(const Table& table, OutputFormat format, std::ostream& out,
            const Json* document = nullptr);

// Rows printed as they arrive (watch commands): JSON lines (one object per row), CSV (the header
// before the first row), or text lines of the shown columns separated by two spaces (a stream
// cannot be aligned). Flushes after every row. Not thread-safe.
class RowStream {
 public:
  // `table` gives the columns and which ones text rows hide; its rows are ignored.
  RowStream(const Table& table, OutputFormat format, std::ostream& out);
  void Add(const std::vector<Json>& cells);

 private:
  Table layout_;
  OutputFormat format_;
  std::ostream& out_;
  bool header_written_ = false;
};

// A cell as text: strings verbatim, null empty, doubles with at most 6 decimals (trailing zeros
// dropped) when `for_humans`, else in full precision. Arrays (of objects) are JSON, or for humans
// "k=v k=v; k=v k=v".
std::string CellText(const Json& cell, bool for_humans);

}  // namespace riskcap::client
