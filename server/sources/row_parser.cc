// Feed payload parsing: JSON through nlohmann (syntax) and protobuf's JSON mapping (rows); CSV
// through a small RFC 4180 reader and protobuf reflection.
#include "server/sources/row_parser.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/wrappers.pb.h>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace riskcap::server::sources {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status ParseJson(std::string_view text, const std::string& origin,
                       const std::function<Message*()>& next_row) {
  nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                             /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat(
        origin, ": the payload is not valid JSON (truncated or malformed); nothing applied"));
  }
  if (!doc.is_object() || !doc.contains("rows") || !doc["rows"].is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ": expected a JSON object {\"rows\": [...]}; nothing applied"));
  }
  google::protobuf::util::JsonParseOptions options;
  size_t index = 0;
  for (const nlohmann::json& row : doc["rows"]) {
    auto status = google::protobuf::util::JsonStringToMessage(row.dump(), next_row(), options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": rows[", index, "]: ", status.ToString()));
    }
    ++index;
  }
  return absl::OkStatus();
}

// Splits RFC 4180 text into records of cells. InvalidArgument on an unterminated quote.
absl::StatusOr<std::vector<std::vector<std::string>>> ReadCsv(std::string_view text,
                                                              const std::string& origin) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string cell;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c != '"') {
        cell.push_back(c);
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        cell.push_back('"');
        ++i;
      } else {
        quoted = false;
      }
      continue;
    }
    any = true;
    if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(cell));
      cell.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      record.push_back(std::move(cell));
      cell.clear();
      records.push_back(std::move(record));
      record.clear();
      any = false;
    } else {
      cell.push_back(c);
    }
  }
  if (quoted) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ": unterminated quoted CSV cell (truncated file?); nothing applied"));
  }
  if (any) {
    record.push_back(std::move(cell));
    records.push_back(std::move(record));
  }
  return records;
}

// Sets one scalar (or wrapper) field from its CSV text; an empty cell leaves it unset.
absl::Status SetCell(Message* msg, const FieldDescriptor* f, const std::string& cell) {
  if (cell.empty()) return absl::OkStatus();
  const Reflection* r = msg->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      r->SetString(msg, f, cell);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(cell, &v)) break;
      r->SetInt64(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(cell, &v)) break;
      r->SetInt32(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(cell, &v)) break;
      r->SetDouble(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      if (cell != "true" && cell != "false") break;
      r->SetBool(msg, f, cell == "true");
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* value = f->enum_type()->FindValueByName(cell);
      if (value == nullptr) return absl::InvalidArgumentError(absl::StrCat("unknown value '", cell, "'"));
      r->SetEnum(msg, f, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (f->message_type()->full_name() == "google.protobuf.DoubleValue") {
        double v;
        if (!absl::SimpleAtod(cell, &v)) break;
        static_cast<google::protobuf::DoubleValue*>(r->MutableMessage(msg, f))->set_value(v);
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError("nested fields are not supported in CSV");
    default:
      return absl::InvalidArgumentError("this field type is not supported in CSV");
  }
  return absl::InvalidArgumentError(absl::StrCat("not a valid ", f->type_name(), ": '", cell, "'"));
}

absl::Status ParseCsv(std::string_view text, const std::string& origin,
                      const std::function<Message*()>& next_row) {
  ASSIGN_OR_RETURN(auto records, ReadCsv(text, origin));
  if (records.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": CSV without a header row"));
  }
  std::vector<const FieldDescriptor*> columns;
  for (size_t i = 1; i < records.size(); ++i) {
    const std::vector<std::string>& record = records[i];
    if (record.size() == 1 && record[0].empty()) continue;  // blank line
    Message* msg = next_row();
    if (columns.empty()) {
      const Descriptor* d = msg->GetDescriptor();
      for (const std::string& name : records[0]) {
        const FieldDescriptor* f = d->FindFieldByName(name);
        if (f == nullptr || f->is_repeated()) {
          return absl::InvalidArgumentError(absl::StrCat(origin, ": unknown CSV column '", name,
                                                         "' for ", d->name()));
        }
        columns.push_back(f);
      }
    }
    if (record.size() != columns.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": rows[", i - 1, "]: has ", record.size(), " cells, the header ",
                       columns.size(), " (truncated file?); nothing applied"));
    }
    for (size_t c = 0; c < columns.size(); ++c) {
      absl::Status s = SetCell(msg, columns[c], record[c]);
      if (!s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(origin, ": rows[", i - 1, "].",
                                                       columns[c]->name(), ": ", s.message()));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseFeedRows(std::string_view text, FeedFormat format, const std::string& origin,
                           const std::function<Message*()>& next_row) {
  return format == FeedFormat::kJson ? ParseJson(text, origin, next_row)
                                     : ParseCsv(text, origin, next_row);
}

}  // namespace riskcap::server::sources
