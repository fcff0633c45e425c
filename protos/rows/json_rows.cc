// JSON rows through nlohmann's SAX parser (iterative: no input can exhaust the stack). Scalar
// members are set through the same text rules as CSV cells (field_text.h); a member holding an
// object or array is gathered (within the nesting limit) and handed to protobuf's JSON mapping.
#include "protos/rows/json_rows.h"

#include <google/protobuf/util/json_util.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "core/utf8.h"
#include "protos/rows/field_text.h"

namespace riskcap::rows {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using Json = nlohmann::json;

// The SAX handler nlohmann's parser calls (its json_sax interface); false stops the parse.
class JsonRows {
 public:
  JsonRows(const RowLimits& limits, const RowSink& sink) : limits_(limits), sink_(sink) {}

  bool null() { return Scalar(true, "", [] { return Json(); }); }
  bool boolean(bool v) { return Scalar(false, v ? "true" : "false", [v] { return Json(v); }); }
  bool number_integer(Json::number_integer_t v) { return Number(absl::StrCat(v), v); }
  bool number_unsigned(Json::number_unsigned_t v) { return Number(absl::StrCat(v), v); }
  // `raw` is the number as written: a decimal string field keeps every digit.
  bool number_float(Json::number_float_t v, const Json::string_t& raw) { return Number(raw, v); }
  bool string(Json::string_t& s) {
    if (!WithinFieldLimit(s, "a value")) return false;
    return Scalar(false, s, [&s] { return Json(s); });
  }
  bool binary(Json::binary_t&) { return Fail(absl::InvalidArgumentError("binary value")); }
  bool key(Json::string_t& k) {
    if (!WithinFieldLimit(k, "a member name")) return false;
    open_.back().key = k;
    return true;
  }
  bool start_object(std::size_t) { return Open(false); }
  bool start_array(std::size_t) { return Open(true); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool parse_error(std::size_t position, const std::string&, const Json::exception& e) {
    if (absl::StrContains(e.what(), "ill-formed UTF-8")) {
      return Fail(LimitError(kInvalidUtf8, absl::StrCat(Where(), Where().empty() ? "" : ": ",
                                                        "invalid UTF-8 near byte ", position,
                                                        "; data files must be UTF-8 encoded")));
    }
    return Fail(Malformed(absl::StrCat(ScrubUtf8(e.what()), " (byte ", position, ")")));
  }

  // The outcome once the parser has returned (`parsed`: it reached the end without a stop).
  absl::StatusOr<int64_t> Finish(bool parsed) {
    if (!status_.ok()) return status_;
    if (!parsed) return Malformed("the parse stopped");
    if (!saw_rows_) {
      return absl::InvalidArgumentError(
          "the JSON has no \"rows\" array: expected an object {\"rows\": [...]}");
    }
    return rows_;
  }

  absl::Status Malformed(std::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("not valid JSON (truncated or malformed): ", AbslView(what)));
  }
  bool Fail(absl::Status status) {
    if (status_.ok()) status_ = std::move(status);
    return false;
  }

 private:
  struct Container {
    bool array;
    std::string key;    // objects: the member being read
    int64_t index = 0;  // arrays: the element being read
  };

  // Where the reader is, as a path: rows[12].asset_nickname ("" at the top level).
  std::string Where() const {
    std::string out;
    for (const Container& c : open_) {
      if (c.array) {
        absl::StrAppend(&out, "[", c.index, "]");
      } else if (!c.key.empty()) {
        absl::StrAppend(&out, out.empty() ? "" : ".", NameInPath(c.key));
      }
    }
    return out;
  }
  std::string RowPath() const { return absl::StrCat("rows[", rows_, "]"); }
  std::string MemberPath() const { return absl::StrCat(RowPath(), ".", NameInPath(open_[2].key)); }

  // Positions that matter: a member of the envelope, an element of "rows", a member of a row.
  bool AtEnvelopeMember() const { return open_.size() == 1; }
  bool AtRow() const { return open_.size() == 2 && open_[1].array && open_[0].key == "rows"; }
  bool AtRowMember() const { return open_.size() == 3 && in_row_; }

  bool WithinFieldLimit(std::string_view text, std::string_view what) {
    if (static_cast<int64_t>(text.size()) <= limits_.max_field_bytes) return true;
    const std::string where = Where();
    return Fail(LimitError(
        kFieldTooLong, absl::StrCat(where, where.empty() ? "" : ": ", AbslView(what),
                                    " longer than ", limits_.max_field_bytes,
                                    " bytes (RISKCAP_FEED_MAX_FIELD_BYTES)")));
  }

  template <typename Value>
  bool Number(std::string_view text, Value value) {
    if (!WithinFieldLimit(text, "a value")) return false;
    return Scalar(false, text, [value] { return Json(value); });
  }

  // A scalar value wherever it is; `make` gives it as JSON, only when a nested member is
  // gathered.
  template <typename MakeJson>
  bool Scalar(bool is_null, std::string_view text, MakeJson make) {
    if (capture_depth_ > 0) {
      Gather(make());
    } else if (open_.empty() || (AtEnvelopeMember() && open_[0].key == "rows")) {
      return Fail(NotAnEnvelope());
    } else if (AtRow()) {
      return Fail(RowNotObject());
    } else if (AtRowMember()) {
      SetMember(is_null, text);
    }
    return Advance();
  }

  bool Open(bool array) {
    if (open_.size() >= static_cast<size_t>(kMaxNesting)) {
      const std::string where = Where();
      return Fail(LimitError(kTooDeep, absl::StrCat(where, where.empty() ? "" : ": ",
                                                    "JSON nested more than ", kMaxNesting,
                                                    " levels deep")));
    }
    if (open_.empty() && array) return Fail(NotAnEnvelope());
    if (AtEnvelopeMember() && open_[0].key == "rows") {
      if (!array) return Fail(NotAnEnvelope());
      if (saw_rows_) return Fail(absl::InvalidArgumentError("more than one \"rows\" member"));
      saw_rows_ = true;
    } else if (AtRow()) {
      if (!BeginRow()) return false;
      if (array) return Fail(RowNotObject());
      in_row_ = true;
    } else if (AtRowMember() || capture_depth_ > 0) {
      Json container = array ? Json::array() : Json::object();
      if (capture_depth_++ == 0) {
        gathered_ = std::move(container);
        gather_.assign(1, &gathered_);
      } else {
        gather_.push_back(Gather(std::move(container)));
      }
    }
    open_.push_back({array, "", 0});
    return true;
  }

  bool Close() {
    open_.pop_back();
    if (capture_depth_ > 0) {
      gather_.pop_back();
      if (--capture_depth_ == 0) SetNestedMember();
    } else if (open_.size() == 2 && in_row_) {
      in_row_ = false;
      if (!EndRow(errors_.ToStatus())) return false;
    }
    return Advance();
  }

  // A value is complete: an array goes on to its next element.
  bool Advance() {
    if (!open_.empty() && open_.back().array) ++open_.back().index;
    return true;
  }

  bool BeginRow() {
    if (rows_ >= limits_.max_rows) {
      return Fail(LimitError(kTooManyRows, absl::StrCat("more than ", limits_.max_rows,
                                                        " rows (RISKCAP_FEED_MAX_ROWS)")));
    }
    errors_ = FieldErrors();
    row_ = sink_.next ? sink_.next() : nullptr;
    if (row_ != nullptr) {  // the row type's table, built at its first row, not per member
      const google::protobuf::Descriptor* type = row_->GetDescriptor();
      if (!fields_ || &fields_->type() != type) fields_.emplace(*type);
    }
    return true;
  }

  bool EndRow(const absl::Status& row_status) {
    const int64_t index = rows_++;
    if (row_ == nullptr) return true;
    absl::Status sunk = sink_.done(index, row_status, *row_);
    row_ = nullptr;
    return sunk.ok() || Fail(std::move(sunk));
  }

  static absl::Status NotAnEnvelope() {
    return absl::InvalidArgumentError(
        "expected an object {\"rows\": [...]} whose \"rows\" is an array");
  }
  absl::Status RowNotObject() {
    return absl::InvalidArgumentError(absl::StrCat(RowPath(), ": a row must be a JSON object"));
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

  // A gathered object or array: protobuf's JSON mapping sets the field from it.
  void SetNestedMember() {
    Json value = std::move(gathered_);
    if (row_ == nullptr) return;
    const FieldDescriptor* field = MemberField();
    if (field == nullptr) return;
    std::unique_ptr<Message> part(row_->New());
    const std::string text = Json{{field->json_name(), std::move(value)}}.dump();
    auto status = google::protobuf::util::JsonStringToMessage(text, part.get());
    if (!status.ok()) {  // its message may quote the text cut inside a UTF-8 sequence
      errors_.Add(MemberPath(), ScrubUtf8(std::string(status.message())));
      return;
    }
    row_->MergeFrom(*part);
  }

  // Adds `value` to the innermost gathered container; returns where it went.
  Json* Gather(Json value) {
    Json& into = *gather_.back();
    if (into.is_array()) {
      into.push_back(std::move(value));
      return &into.back();
    }
    Json& member = into[open_.back().key];
    member = std::move(value);
    return &member;
  }

  const RowLimits& limits_;
  const RowSink& sink_;
  absl::Status status_;
  std::vector<Container> open_;
  bool saw_rows_ = false;
  bool in_row_ = false;
  int64_t rows_ = 0;
  Message* row_ = nullptr;
  FieldErrors errors_;
  std::optional<RowFields> fields_;
  int capture_depth_ = 0;
  Json gathered_;
  std::vector<Json*> gather_;
};

// `sax_parse(rows)` runs nlohmann's parser over the input with `rows` as its handler.
template <typename SaxParse>
absl::StatusOr<int64_t> Parse(const SaxParse& sax_parse, const RowLimits& limits,
                              const RowSink& sink) {
  JsonRows rows(limits, sink);
  bool parsed = false;
  try {
    parsed = sax_parse(rows);
  } catch (const Json::exception& e) {  // out_of_range for a number no double holds, as 1e999
    rows.Fail(rows.Malformed(ScrubUtf8(e.what())));
  }
  return rows.Finish(parsed);
}

}  // namespace

absl::StatusOr<int64_t> ReadJsonRows(std::istream& in, const RowLimits& limits,
                                     const RowSink& sink) {
  return Parse([&in](JsonRows& rows) { return Json::sax_parse(in, &rows); }, limits, sink);
}

absl::StatusOr<int64_t> ReadJsonRows(std::string_view text, const RowLimits& limits,
                                     const RowSink& sink) {
  return Parse(
      [text](JsonRows& rows) { return Json::sax_parse(text.begin(), text.end(), &rows); },
      limits, sink);
}

}  // namespace riskcap::rows
