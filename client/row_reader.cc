// CSV and JSON row files into API messages.
#include "client/row_reader.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "core/status_macros.h"

namespace riskcap::client {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// A field that one CSV cell can hold: a scalar or a google.protobuf wrapper.
bool IsCsvField(const FieldDescriptor& field) {
  if (field.is_repeated()) return false;
  if (field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return true;
  return field.message_type()->file()->name() == "google/protobuf/wrappers.proto";
}

absl::Status Mistyped(const std::string& path, std::string_view expected, const std::string& text) {
  return FieldError(path, absl::StrCat("must be ", AbslView(expected), ", got \"", text, "\""));
}

absl::Status SetEnum(Message& m, const FieldDescriptor& f, const std::string& text,
                     const std::string& path) {
  const google::protobuf::EnumDescriptor& type = *f.enum_type();
  std::string upper = absl::AsciiStrToUpper(text);
  const google::protobuf::EnumValueDescriptor* value = type.FindValueByName(upper);
  if (value == nullptr) {
    std::string prefix(type.value(0)->name());
    prefix = prefix.substr(0, prefix.size() - std::string_view("UNSPECIFIED").size());
    value = type.FindValueByName(absl::StrCat(prefix, upper));
  }
  if (value == nullptr || value->number() == 0) return Mistyped(path, "a " + type.name(), text);
  m.GetReflection()->SetEnumValue(&m, &f, value->number());
  return absl::OkStatus();
}

// Sets scalar field `f` of `m` from `text` (not empty).
absl::Status SetScalar(Message& m, const FieldDescriptor& f, const std::string& text,
                       const std::string& path) {
  const Reflection& r = *m.GetReflection();
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(text, &v)) return Mistyped(path, "an integer", text);
      r.SetInt32(&m, &f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return Mistyped(path, "an integer", text);
      r.SetInt64(&m, &f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(text, &v)) return Mistyped(path, "an integer >= 0", text);
      r.SetUInt32(&m, &f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(text, &v)) return Mistyped(path, "an integer >= 0", text);
      r.SetUInt64(&m, &f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v;
      if (!absl::SimpleAtod(text, &v)) return Mistyped(path, "a number", text);
      if (f.cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
        r.SetDouble(&m, &f, v);
      } else {
        r.SetFloat(&m, &f, static_cast<float>(v));
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (!absl::SimpleAtob(text, &v)) return Mistyped(path, "true or false", text);
      r.SetBool(&m, &f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM:
      return SetEnum(m, f, text, path);
    case FieldDescriptor::CPPTYPE_STRING:
      r.SetString(&m, &f, text);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_MESSAGE: {  // a wrapper: set its "value"
      Message* wrapper = r.MutableMessage(&m, &f);
      return SetScalar(*wrapper, *wrapper->GetDescriptor()->FindFieldByName("value"), text, path);
    }
  }
  return absl::InternalError("unknown field type");
}

std::string RowPath(int64_t index) { return absl::StrCat("rows[", index, "]"); }

absl::Status ReadCsv(std::istream& in, const Message& prototype, const RowSink& sink) {
  CsvReader reader(in);
  std::vector<std::string> columns, cells;
  ASSIGN_OR_RETURN(bool has_header, reader.Next(columns));
  if (!has_header) return absl::InvalidArgumentError("the CSV file is empty (no header row)");
  // Spreadsheets often save CSV with a UTF-8 byte order mark before the first column name.
  if (absl::StartsWith(columns[0], "\xEF\xBB\xBF")) columns[0].erase(0, 3);
  for (std::string& column : columns) absl::StripAsciiWhitespace(&column);
  RETURN_IF_ERROR(CheckCsvColumns(columns, *prototype.GetDescriptor()));
  std::unique_ptr<Message> row(prototype.New());
  for (int64_t index = 0;; ++index) {
    ASSIGN_OR_RETURN(bool more, reader.Next(cells));
    if (!more) return absl::OkStatus();
    row->Clear();
    absl::Status status;
    if (cells.size() != columns.size()) {
      status =
          FieldError(RowPath(index), absl::StrCat("line ", reader.line(), " has ", cells.size(),
                                                  " cells, the header ", columns.size()));
    } else {
      status = SetFieldsFromText(columns, cells, RowPath(index), *row);
    }
    RETURN_IF_ERROR(sink(index, status, *row));
  }
}

// Thrown from the JSON parser callback to stop parsing with the sink's status.
struct StopParsing {
  absl::Status status;
};

absl::Status JsonRowStatus(const nlohmann::json& object, int64_t index, Message& row) {
  google::protobuf::util::JsonParseOptions options;
  auto status = google::protobuf::util::JsonStringToMessage(object.dump(), &row, options);
  if (status.ok()) return absl::OkStatus();
  return FieldError(RowPath(index), std::string(status.message()));
}

// Parses {"rows": [...]} handing each row to the sink as soon as it is complete, then discarding
// it, so that only one row is held at a time.
absl::Status ReadJson(std::istream& in, const Message& prototype, const RowSink& sink) {
  using Event = nlohmann::json::parse_event_t;
  std::unique_ptr<Message> row(prototype.New());
  std::string top_key;
  int64_t index = 0;
  bool saw_rows = false;
  auto callback = [&](int depth, Event event, nlohmann::json& parsed) {
    if (depth == 1 && event == Event::key) top_key = parsed.get<std::string>();
    if (top_key != "rows") return true;
    if (depth == 1 && event == Event::array_start) saw_rows = true;
    if (depth == 2 && (event == Event::value || event == Event::object_end)) {
      row->Clear();
      absl::Status status = parsed.is_object()
                                ? JsonRowStatus(parsed, index, *row)
                                : FieldError(RowPath(index), "a row must be a JSON object");
      absl::Status sunk = sink(index++, status, *row);
      if (!sunk.ok()) throw StopParsing{sunk};
      return false;  // discard the row
    }
    return true;
  };
  try {
    nlohmann::json skeleton = nlohmann::json::parse(in, callback);  // rows discarded
    (void)skeleton;
  } catch (const StopParsing& stop) {
    return stop.status;
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("malformed JSON: ", e.what()));
  }
  if (!saw_rows) return absl::InvalidArgumentError("the JSON file has no \"rows\" array");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bool> CsvReader::Next(std::vector<std::string>& fields) {
  fields.clear();
  int c = in_.get();
  while (c == '\r' || c == '\n') {  // skip blank lines
    if (c == '\n') ++next_line_;
    c = in_.get();
  }
  if (c == EOF) return false;
  record_line_ = next_line_;
  fields.emplace_back();
  bool quoted = false;
  for (; c != EOF; c = in_.get()) {
    if (quoted) {
      if (c == '"' && in_.peek() == '"') {
        fields.back() += '"';
        in_.get();
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++next_line_;
        fields.back() += static_cast<char>(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\n') {
      ++next_line_;
      break;
    } else if (c != '\r') {
      fields.back() += static_cast<char>(c);
    }
  }
  if (quoted) {
    return absl::InvalidArgumentError(
        absl::StrCat("CSV line ", record_line_, ": a quoted field is not closed"));
  }
  return true;
}

absl::Status CheckCsvColumns(const std::vector<std::string>& columns, const Descriptor& type) {
  for (const std::string& column : columns) {
    const FieldDescriptor* field = type.FindFieldByName(column);
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown CSV column \"", column, "\": columns are ", type.name(), " field names"));
    }
    if (!IsCsvField(*field)) {
      return absl::InvalidArgumentError(
          absl::StrCat("CSV column \"", column, "\" is not a scalar field; use a JSON file"));
    }
  }
  return absl::OkStatus();
}

absl::Status SetFieldsFromText(const std::vector<std::string>& columns,
                               const std::vector<std::string>& cells, const std::string& path,
                               Message& row) {
  FieldErrors errors;
  const Descriptor& type = *row.GetDescriptor();
  for (size_t i = 0; i < columns.size() && i < cells.size(); ++i) {
    if (cells[i].empty()) continue;
    const FieldDescriptor* field = type.FindFieldByName(columns[i]);
    if (field == nullptr || !IsCsvField(*field)) {
      errors.Add(absl::StrCat(path, ".", columns[i]), "is not a scalar field");
      continue;
    }
    errors.AddViolationsOf(SetScalar(row, *field, cells[i], absl::StrCat(path, ".", columns[i])));
  }
  return errors.ToStatus();
}

absl::Status ReadRows(const std::string& path, const Message& prototype, const RowSink& sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot open '", path, "'"));
  if (absl::EndsWithIgnoreCase(path, ".csv")) return ReadCsv(in, prototype, sink);
  return ReadJson(in, prototype, sink);
}

absl::StatusOr<int64_t> CountRows(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot open '", path, "'"));
  int64_t count = 0;
  if (absl::EndsWithIgnoreCase(path, ".csv")) {
    CsvReader reader(in);
    std::vector<std::string> fields;
    while (true) {
      ASSIGN_OR_RETURN(bool more, reader.Next(fields));
      if (!more) break;
      ++count;
    }
    return count > 0 ? count - 1 : 0;
  }
  using Event = nlohmann::json::parse_event_t;
  std::string top_key;
  auto callback = [&](int depth, Event event, nlohmann::json& parsed) {
    if (depth == 1 && event == Event::key) top_key = parsed.get<std::string>();
    if (top_key != "rows" || depth != 2) return true;
    if (event == Event::value || event == Event::object_end) {
      ++count;
      return false;
    }
    return true;
  };
  try {
    nlohmann::json skeleton = nlohmann::json::parse(in, callback);  // rows discarded
    (void)skeleton;
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("malformed JSON: ", e.what()));
  }
  return count;
}

}  // namespace riskcap::client
