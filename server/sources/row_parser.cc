// Feed payload parsing: JSON through nlohmann (syntax) and protobuf's JSON mapping (rows); CSV
// through a small RFC 4180 reader and protobuf reflection.
#include "server/sources/row_parser.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/wrappers.pb.h>


#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace riskcap::server::sources {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

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

// An enum value by its full proto name ("POSITION_CLASSIFICATION_OTC_SWAP"), its short name
// without the enum's common prefix ("OTC_SWAP"), or its number (protobuf's JSON mapping allows it).
const google::protobuf::EnumValueDescriptor* FindEnumValue(const google::protobuf::EnumDescriptor* e,
                                                          const std::string& text) {
  if (const auto* v = e->FindValueByName(text)) return v;
  const std::string& first = e->value(0)->name();  // "<PREFIX>_UNSPECIFIED"
  const size_t cut = first.rfind("UNSPECIFIED");
  if (cut != std::string::npos && !text.empty() && text != "UNSPECIFIED") {
    if (const auto* v = e->FindValueByName(first.substr(0, cut) + text)) return v;
  }
  int number = 0;
  if (absl::SimpleAtoi(text, &number)) return e->FindValueByNumber(number);
  return nullptr;
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
      const auto* value = FindEnumValue(f->enum_type(), cell);
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

// A JSON reader for the feed payload: the top-level object is walked here, and each row object
// whose values are all scalars (the common case) is set field by field through SetCell; a row
// with a nested value goes through protobuf's JSON parser instead. Anything malformed or cut off
// is an error, so a truncated payload is never applied.
class JsonRows {
 public:
  JsonRows(std::string_view text, const std::string& origin) : t_(text), origin_(origin) {}

  absl::Status Parse(const std::function<Message*()>& next_row) {
    bool saw_rows = false;
    RETURN_IF_ERROR(Expect('{'));
    if (!Peek('}')) {
      do {
        std::string key;
        RETURN_IF_ERROR(String(&key));
        RETURN_IF_ERROR(Expect(':'));
        if (key == "rows") {
          saw_rows = true;
          RETURN_IF_ERROR(Rows(next_row));
        } else {
          RETURN_IF_ERROR(SkipValue());
        }
      } while (Accept(','));
    }
    RETURN_IF_ERROR(Expect('}'));
    SkipSpace();
    if (i_ != t_.size()) return Malformed("trailing characters after the top-level object");
    if (!saw_rows) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin_, ": expected a JSON object {\"rows\": [...]}; nothing applied"));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Rows(const std::function<Message*()>& next_row) {
    RETURN_IF_ERROR(Expect('['));
    if (Accept(']')) return absl::OkStatus();
    size_t index = 0;
    do {
      RETURN_IF_ERROR(Row(next_row(), index++));
    } while (Accept(','));
    return Expect(']');
  }

  absl::Status Row(Message* msg, size_t index) {
    SkipSpace();
    const size_t start = i_;
    absl::Status flat = FlatRow(msg);
    if (flat.ok()) return flat;
    if (!nested_) return RowError(index, flat);
    // A nested value: protobuf's own JSON parser takes the whole row.
    nested_ = false;
    i_ = start;
    RETURN_IF_ERROR(SkipValue());
    msg->Clear();
    auto status = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(t_.data() + start, i_ - start), msg);
    if (!status.ok()) return RowError(index, absl::InvalidArgumentError(status.ToString()));
    return absl::OkStatus();
  }

  absl::Status RowError(size_t index, const absl::Status& s) {
    if (absl::IsDataLoss(s)) return absl::InvalidArgumentError(s.message());
    return absl::InvalidArgumentError(absl::StrCat(origin_, ": rows[", index, "]", s.message()));
  }

  absl::Status FlatRow(Message* msg) {
    RETURN_IF_ERROR(Expect('{'));
    if (Accept('}')) return absl::OkStatus();
    const Descriptor* d = msg->GetDescriptor();
    do {
      std::string key, value;
      RETURN_IF_ERROR(String(&key));
      RETURN_IF_ERROR(Expect(':'));
      SkipSpace();
      if (Peek('{') || Peek('[')) {
        nested_ = true;
        return absl::InvalidArgumentError("nested");
      }
      bool is_null = false;
      RETURN_IF_ERROR(Scalar(&value, &is_null));
      const FieldDescriptor* f = d->FindFieldByName(key);
      if (f == nullptr) f = d->FindFieldByCamelcaseName(key);
      if (f == nullptr || f->is_repeated()) {
        return absl::InvalidArgumentError(absl::StrCat(": unknown field '", key, "'"));
      }
      if (is_null) continue;
      absl::Status set = SetCell(msg, f, value);
      if (!set.ok()) return absl::InvalidArgumentError(absl::StrCat(".", key, ": ", set.message()));
    } while (Accept(','));
    return Expect('}');
  }

  // A string (unescaped), number or literal as text; null sets *is_null.
  absl::Status Scalar(std::string* out, bool* is_null) {
    SkipSpace();
    if (Peek('"')) return String(out);
    const size_t start = i_;
    while (i_ < t_.size() && (absl::ascii_isalnum(static_cast<unsigned char>(t_[i_])) ||
                              t_[i_] == '-' || t_[i_] == '+' || t_[i_] == '.')) {
      ++i_;
    }
    if (i_ == start) return Malformed("expected a value");
    if (i_ == t_.size()) return Malformed("unexpected end of input");
    out->assign(t_.substr(start, i_ - start));
    *is_null = *out == "null";
    return absl::OkStatus();
  }

  absl::Status String(std::string* out) {
    SkipSpace();
    RETURN_IF_ERROR(Expect('"'));
    out->clear();
    while (i_ < t_.size()) {
      char c = t_[i_++];
      if (c == '"') return absl::OkStatus();
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i_ >= t_.size()) break;
      char e = t_[i_++];
      switch (e) {
        case '"': case '\\': case '/': out->push_back(e); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': RETURN_IF_ERROR(Unicode(out)); break;
        default: return Malformed("bad escape in a string");
      }
    }
    return Malformed("unexpected end of input inside a string");
  }

  absl::Status Hex4(uint32_t* out) {
    if (i_ + 4 > t_.size()) return Malformed("unexpected end of input in \\u escape");
    *out = 0;
    for (int k = 0; k < 4; ++k) {
      char c = t_[i_++];
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (v < 0) return Malformed("bad \\u escape");
      *out = *out * 16 + static_cast<uint32_t>(v);
    }
    return absl::OkStatus();
  }

  absl::Status Unicode(std::string* out) {
    uint32_t cp = 0;
    RETURN_IF_ERROR(Hex4(&cp));
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (t_.substr(i_, 2) != "\\u") return Malformed("unpaired surrogate");
      i_ += 2;
      RETURN_IF_ERROR(Hex4(&low));
      if (low < 0xDC00 || low > 0xDFFF) return Malformed("unpaired surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    return absl::OkStatus();
  }

  absl::Status SkipValue() {
    SkipSpace();
    if (Peek('"')) {
      std::string ignored;
      return String(&ignored);
    }
    if (Accept('{')) {
      if (Accept('}')) return absl::OkStatus();
      do {
        std::string key;
        RETURN_IF_ERROR(String(&key));
        RETURN_IF_ERROR(Expect(':'));
        RETURN_IF_ERROR(SkipValue());
      } while (Accept(','));
      return Expect('}');
    }
    if (Accept('[')) {
      if (Accept(']')) return absl::OkStatus();
      do {
        RETURN_IF_ERROR(SkipValue());
      } while (Accept(','));
      return Expect(']');
    }
    std::string ignored;
    bool is_null = false;
    return Scalar(&ignored, &is_null);
  }

  void SkipSpace() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\r' || t_[i_] == '\t')) ++i_;
  }
  bool Peek(char c) {
    SkipSpace();
    return i_ < t_.size() && t_[i_] == c;
  }
  bool Accept(char c) {
    if (!Peek(c)) return false;
    ++i_;
    return true;
  }
  absl::Status Expect(char c) {
    if (Accept(c)) return absl::OkStatus();
    return Malformed(i_ >= t_.size() ? "unexpected end of input"
                                     : absl::StrCat("expected '", std::string(1, c), "'"));
  }
  // DataLoss marks a syntax error of the payload (as opposed to a bad row value).
  absl::Status Malformed(const std::string& what) {
    return absl::DataLossError(absl::StrCat(
        origin_, ": the payload is not valid JSON (truncated or malformed): ", what, " at byte ",
        i_, "; nothing applied"));
  }

  std::string_view t_;
  const std::string& origin_;
  size_t i_ = 0;
  bool nested_ = false;
};

absl::Status ParseJson(std::string_view text, const std::string& origin,
                       const std::function<Message*()>& next_row) {
  absl::Status s = JsonRows(text, origin).Parse(next_row);
  if (absl::IsDataLoss(s)) return absl::InvalidArgumentError(s.message());
  return s;
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
