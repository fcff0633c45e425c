// JSON rows through simdjson's on-demand parser. Every value of the document is visited, so what
// the on-demand API would skip unchecked (a member outside the rows, a nested value) is validated
// as strictly as a row. Scalar members are set through the same text rules as CSV cells
// (field_text.h); a member holding an object or array is validated within the nesting limit and
// its text handed to protobuf's JSON mapping. Recursion is bounded by kMaxNesting.
#include "protos/rows/json_rows.h"

#include <google/protobuf/util/json_util.h>
#include <simdjson.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "core/status_macros.h"
#include "core/utf8.h"
#include "protos/rows/field_text.h"
#include "protos/rows/json_error_path.h"

namespace riskcap::rows {
namespace {

namespace od = simdjson::ondemand;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

absl::Status TooDeep(const std::string& where) {
  return LimitError(kTooDeep, absl::StrCat(where, where.empty() ? "" : ": ",
                                           "JSON nested more than ", kMaxNesting, " levels deep"));
}

// A number simdjson refuses only for its size: an integer wider than 64 bits that a double
// holds, read as written (as a decimal string field wants it).
bool IsWideInteger(std::string_view raw) {
  std::string_view digits = raw.substr(raw.starts_with('-') ? 1 : 0);
  if (digits.size() < 19 || digits[0] == '0') return false;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  double value = 0;
  return absl::SimpleAtod(AbslView(raw), &value) && std::isfinite(value);
}

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

class JsonRows {
 public:
  JsonRows(const RowLimits& limits, const RowSink& sink) : limits_(limits), sink_(sink) {}

  absl::StatusOr<int64_t> Read(std::string_view text) {
    const size_t skipped = text.starts_with(kByteOrderMark) ? kByteOrderMark.size() : 0;
    text.remove_prefix(skipped);
    const simdjson::padded_string padded(text);
    od::parser parser;
    od::document doc;
    simdjson::error_code error = parser.iterate(padded).get(doc);
    if (error == simdjson::UTF8_ERROR) return Utf8Error(text, skipped);
    od::json_type type{};
    if (error == simdjson::SUCCESS) error = doc.type().get(type);
    if (error == simdjson::SUCCESS && type != od::json_type::object) return NotAnEnvelope();
    od::object envelope;
    if (error == simdjson::SUCCESS) error = doc.get_object().get(envelope);
    if (error != simdjson::SUCCESS) {  // unclosed containers too: say if they nest too deep
      std::optional<std::string> deep = TooDeepPath(text);
      return deep ? TooDeep(*deep) : Ok(error);
    }
    doc_ = &doc;
    RETURN_IF_ERROR(ReadEnvelope(envelope));
    const char* after = nullptr;
    if (doc.current_location().get(after) == simdjson::SUCCESS) {
      return Malformed("text after the JSON document");
    }
    if (!saw_rows_) {
      return absl::InvalidArgumentError(
          "the JSON has no \"rows\" array: expected an object {\"rows\": [...]}");
    }
    return rows_;
  }

 private:
  static absl::Status Malformed(std::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("not valid JSON (truncated or malformed): ", AbslView(what)));
  }
  absl::Status Ok(simdjson::error_code error) const {
    if (error == simdjson::SUCCESS) return absl::OkStatus();
    const std::string where = PathOf(open_);
    return Malformed(
        absl::StrCat(where, where.empty() ? "" : ": ", simdjson::error_message(error)));
  }
  static absl::Status Utf8Error(std::string_view text, size_t skipped) {
    const size_t at = FindInvalidUtf8(text).value_or(text.size());
    const std::string where = PathOfByte(text, at);
    return LimitError(kInvalidUtf8,
                      absl::StrCat(where, where.empty() ? "" : ": ", "invalid UTF-8 near byte ",
                                   at + skipped, "; data files must be UTF-8 encoded"));
  }
  static absl::Status NotAnEnvelope() {
    return absl::InvalidArgumentError(
        "expected an object {\"rows\": [...]} whose \"rows\" is an array");
  }

  std::string RowPath() const { return absl::StrCat("rows[", rows_, "]"); }
  std::string MemberPath() const { return absl::StrCat(RowPath(), ".", NameInPath(open_[2].key)); }

  absl::Status WithinFieldLimit(std::string_view text, std::string_view what) const {
    if (static_cast<int64_t>(text.size()) <= limits_.max_field_bytes) return absl::OkStatus();
    const std::string where = PathOf(open_);
    return LimitError(kFieldTooLong, absl::StrCat(where, where.empty() ? "" : ": ", AbslView(what),
                                                  " longer than ", limits_.max_field_bytes,
                                                  " bytes (RISKCAP_FEED_MAX_FIELD_BYTES)"));
  }

  absl::Status Open(bool array) {
    if (open_.size() >= static_cast<size_t>(kMaxNesting)) return TooDeep(PathOf(open_));
    open_.push_back({array, "", 0});
    return absl::OkStatus();
  }

  // The next member's name, checked and recorded as the innermost object's key.
  absl::Status Key(simdjson::simdjson_result<od::field>& field) {
    std::string_view key;
    RETURN_IF_ERROR(Ok(field.unescaped_key().get(key)));
    RETURN_IF_ERROR(WithinFieldLimit(key, "a member name"));
    open_.back().key.assign(key);
    return absl::OkStatus();
  }

  absl::Status ReadEnvelope(od::object& envelope) {
    open_.push_back({false, "", 0});
    for (auto field : envelope) {
      RETURN_IF_ERROR(Key(field));
      od::value value;
      RETURN_IF_ERROR(Ok(field.value().get(value)));
      if (open_[0].key != "rows") {
        RETURN_IF_ERROR(Validate(value));
        continue;
      }
      od::json_type type{};
      RETURN_IF_ERROR(Ok(value.type().get(type)));
      if (type != od::json_type::array) return NotAnEnvelope();
      if (saw_rows_) return absl::InvalidArgumentError("more than one \"rows\" member");
      saw_rows_ = true;
      od::array rows;
      RETURN_IF_ERROR(Ok(value.get_array().get(rows)));
      RETURN_IF_ERROR(ReadRowArray(rows));
    }
    return absl::OkStatus();
  }

  absl::Status ReadRowArray(od::array& rows) {
    RETURN_IF_ERROR(Open(true));
    for (auto element : rows) {
      od::value row;
      RETURN_IF_ERROR(Ok(element.get(row)));
      od::json_type type{};
      RETURN_IF_ERROR(Ok(row.type().get(type)));
      if (type != od::json_type::object) {
        return absl::InvalidArgumentError(absl::StrCat(RowPath(), ": a row must be a JSON object"));
      }
      RETURN_IF_ERROR(ReadRow(row));
      ++open_.back().index;
    }
    open_.pop_back();
    return absl::OkStatus();
  }

  absl::Status ReadRow(od::value& value) {
    RETURN_IF_ERROR(BeginRow());
    RETURN_IF_ERROR(Open(false));
    od::object row;
    RETURN_IF_ERROR(Ok(value.get_object().get(row)));
    for (auto field : row) {
      RETURN_IF_ERROR(Key(field));
      od::value member;
      RETURN_IF_ERROR(Ok(field.value().get(member)));
      RETURN_IF_ERROR(ReadMember(member));
    }
    open_.pop_back();
    return EndRow(errors_.ToStatus());
  }

  absl::Status ReadMember(od::value& value) {
    od::json_type type{};
    RETURN_IF_ERROR(Ok(value.type().get(type)));
    if (type == od::json_type::object || type == od::json_type::array) {
      const char* begin = value.raw_json_token().data();
      RETURN_IF_ERROR(Validate(value));
      const char* end = nullptr;
      RETURN_IF_ERROR(Ok(doc_->current_location().get(end)));
      SetNestedMember(TrimRight(std::string_view(begin, static_cast<size_t>(end - begin))));
      return absl::OkStatus();
    }
    std::string text;
    bool is_null = false;
    RETURN_IF_ERROR(Scalar(value, type, text, is_null));
    SetMember(is_null, text);
    return absl::OkStatus();
  }

  // A scalar's text as the field rules read it: a string unescaped, a number as written.
  absl::Status Scalar(od::value& value, od::json_type type, std::string& text, bool& is_null) {
    switch (type) {
      case od::json_type::string: {
        std::string_view s;
        RETURN_IF_ERROR(Ok(value.get_string().get(s)));
        RETURN_IF_ERROR(WithinFieldLimit(s, "a value"));
        text.assign(s);
        return absl::OkStatus();
      }
      case od::json_type::number: {
        const std::string_view raw = TrimRight(value.raw_json_token());
        od::number number;
        simdjson::error_code error = value.get_number().get(number);
        if (error != simdjson::SUCCESS && !IsWideInteger(raw)) RETURN_IF_ERROR(Ok(error));
        RETURN_IF_ERROR(WithinFieldLimit(raw, "a value"));
        text.assign(raw == "-0" ? "0" : raw);  // an integer minus zero is zero
        return absl::OkStatus();
      }
      case od::json_type::boolean: {
        bool b = false;
        RETURN_IF_ERROR(Ok(value.get_bool().get(b)));
        text = b ? "true" : "false";
        return absl::OkStatus();
      }
      default: {
        RETURN_IF_ERROR(Ok(value.is_null().get(is_null)));
        if (!is_null) return Ok(simdjson::N_ATOM_ERROR);
        return absl::OkStatus();
      }
    }
  }

  // Checks a value the reader does not convert as strictly as one it does.
  absl::Status Validate(od::value& value) {
    od::json_type type{};
    RETURN_IF_ERROR(Ok(value.type().get(type)));
    if (type == od::json_type::object) {
      RETURN_IF_ERROR(Open(false));
      od::object object;
      RETURN_IF_ERROR(Ok(value.get_object().get(object)));
      for (auto field : object) {
        RETURN_IF_ERROR(Key(field));
        od::value member;
        RETURN_IF_ERROR(Ok(field.value().get(member)));
        RETURN_IF_ERROR(Validate(member));
      }
      open_.pop_back();
    } else if (type == od::json_type::array) {
      RETURN_IF_ERROR(Open(true));
      od::array array;
      RETURN_IF_ERROR(Ok(value.get_array().get(array)));
      for (auto element : array) {
        od::value item;
        RETURN_IF_ERROR(Ok(element.get(item)));
        RETURN_IF_ERROR(Validate(item));
        ++open_.back().index;
      }
      open_.pop_back();
    } else {
      std::string text;
      bool is_null = false;
      RETURN_IF_ERROR(Scalar(value, type, text, is_null));
    }
    return absl::OkStatus();
  }

  absl::Status BeginRow() {
    if (rows_ >= limits_.max_rows) {
      return LimitError(kTooManyRows, absl::StrCat("more than ", limits_.max_rows,
                                                   " rows (RISKCAP_FEED_MAX_ROWS)"));
    }
    errors_ = FieldErrors();
    row_ = sink_.next ? sink_.next() : nullptr;
    if (row_ != nullptr) {  // the row type's table, built at its first row, not per member
      const google::protobuf::Descriptor* type = row_->GetDescriptor();
      if (!fields_ || &fields_->type() != type) fields_.emplace(*type);
    }
    return absl::OkStatus();
  }

  absl::Status EndRow(const absl::Status& row_status) {
    const int64_t index = rows_++;
    if (row_ == nullptr) return absl::OkStatus();
    absl::Status sunk = sink_.done(index, row_status, *row_);
    row_ = nullptr;
    return sunk;
  }

  const FieldDescriptor* MemberField() {
    const FieldDescriptor* field = fields_->Find(open_[2].key);
    if (field == nullptr) {
      errors_.Add(RowPath(), absl::StrCat("unknown field ", QuoteForMessage(open_[2].key)));
    }
    return field;
  }

  void SetMember(bool is_null, std::string_view text) {
    if (row_ == nullptr) return;
    const FieldDescriptor* field = MemberField();
    if (field == nullptr || is_null) return;
    if (!IsScalarField(*field)) {
      errors_.Add(MemberPath(), "must be a JSON object or array");
      return;
    }
    absl::Status set = fields_->Set(*row_, *field, text);
    if (!set.ok()) errors_.AddStatus(MemberPath(), set);  // the path for a bad value only
  }

  // A nested object or array, as written: protobuf's JSON mapping sets the field from it.
  void SetNestedMember(std::string_view json) {
    if (row_ == nullptr) return;
    const FieldDescriptor* field = MemberField();
    if (field == nullptr) return;
    std::unique_ptr<Message> part(row_->New());
    const std::string text = absl::StrCat("{\"", field->json_name(), "\":", AbslView(json), "}");
    auto status = google::protobuf::util::JsonStringToMessage(text, part.get());
    if (!status.ok()) {  // its message may quote the text cut inside a UTF-8 sequence
      errors_.Add(MemberPath(), ScrubUtf8(std::string(status.message())));
      return;
    }
    row_->MergeFrom(*part);
  }

  const RowLimits& limits_;
  const RowSink& sink_;
  od::document* doc_ = nullptr;
  std::vector<JsonContainer> open_;
  bool saw_rows_ = false;
  int64_t rows_ = 0;
  Message* row_ = nullptr;
  FieldErrors errors_;
  std::optional<RowFields> fields_;
};

}  // namespace

absl::StatusOr<int64_t> ReadJsonRows(std::istream& in, const RowLimits& limits,
                                     const RowSink& sink) {
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (static_cast<int64_t>(text.size()) > limits.max_bytes) {
      return LimitError(kTooLarge, absl::StrCat("more than ", limits.max_bytes,
                                                " bytes (RISKCAP_FEED_MAX_BYTES)"));
    }
  }
  return ReadJsonRows(text, limits, sink);
}

absl::StatusOr<int64_t> ReadJsonRows(std::string_view text, const RowLimits& limits,
                                     const RowSink& sink) {
  return JsonRows(limits, sink).Read(text);
}

}  // namespace riskcap::rows
