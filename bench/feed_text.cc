// Feed payloads from generated positions.
#include "bench/feed_text.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "protos/rows/csv_reader.h"

namespace riskcap::bench {
namespace {

using google::protobuf::FieldDescriptor;

// One CSV cell: the field's text, quoted when it holds a comma, quote or line break.
std::string Cell(const v1::Position& row, const FieldDescriptor& field) {
  const google::protobuf::Reflection& r = *row.GetReflection();
  std::string text;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT64: text = absl::StrCat(r.GetInt64(row, &field)); break;
    case FieldDescriptor::CPPTYPE_INT32: text = absl::StrCat(r.GetInt32(row, &field)); break;
    case FieldDescriptor::CPPTYPE_ENUM: text = r.GetEnum(row, &field)->name(); break;
    case FieldDescriptor::CPPTYPE_STRING: text = r.GetString(row, &field); break;
    case FieldDescriptor::CPPTYPE_MESSAGE:  // a DoubleValue
      if (r.HasField(row, &field)) {
        const auto& wrapper = r.GetMessage(row, &field);
        const FieldDescriptor* value = wrapper.GetDescriptor()->FindFieldByName("value");
        text = absl::StrCat(wrapper.GetReflection()->GetDouble(wrapper, value));
      }
      break;
    default: break;
  }
  return rows::CsvCell(text);
}

}  // namespace

std::string PositionsFeedText(const RowPlan& plan, int64_t rows, FeedTextFormat format) {
  const google::protobuf::Descriptor& type = *v1::Position::descriptor();
  std::string out;
  if (format == FeedTextFormat::kCsv) {
    for (int f = 0; f < type.field_count(); ++f) {
      absl::StrAppend(&out, f == 0 ? "" : ",", type.field(f)->name());
    }
    out += "\n";
  } else {
    out = "{\"rows\": [\n";
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  v1::Position row;
  for (int64_t i = 0; i < rows; ++i) {
    row.Clear();
    GeneratePosition(plan, i, &row);
    if (format == FeedTextFormat::kCsv) {
      for (int f = 0; f < type.field_count(); ++f) {
        absl::StrAppend(&out, f == 0 ? "" : ",", Cell(row, *type.field(f)));
      }
      out += "\n";
    } else {
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(row, &json, options);
      absl::StrAppend(&out, i == 0 ? "" : ",\n", json);
    }
  }
  if (format == FeedTextFormat::kJson) out += "\n]}\n";
  return out;
}

}  // namespace riskcap::bench
