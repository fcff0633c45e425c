// The JSON feed reader: the envelope is walked here, and each row object whose values are all
// scalars (the common case) is set field by field through SetCell; a row with a nested value is
// first skipped here (which enforces the depth, size and UTF-8 limits) and then handed whole to
// protobuf's JSON parser. Anything malformed or cut off is an error, so a truncated payload is
// never applied.
#include "server/sources/json_rows.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "core/utf8.h"
#include "server/sources/row_cells.h"

namespace riskcap::server::sources {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// One open container and where inside it the reader is: the member being read (objects) or the
// element's index (arrays).
struct OpenContainer {
  char closer;
  std::string key;
  int64_t index = 0;
};

bool IsPlainName(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  for (char c : key) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

class JsonRows {
 public:
  JsonRows(std::string_view text, const std::string& origin, const FeedLimits& limits,
           const std::function<Message*()>& next_row)
      : t_(text), origin_(origin), limits_(limits), next_row_(next_row) {}

  absl::Status Parse() {
    if (t_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;  // a UTF-8 byte order mark
    bool saw_rows = false;
    RETURN_IF_ERROR(Open('{'));
    if (!Accept('}')) {
      do {
        RETURN_IF_ERROR(Key());
        if (open_.back().key != "rows") {
          RETURN_IF_ERROR(SkipValue());
        } else if (saw_rows) {
          return absl::InvalidArgumentError(
              absl::StrCat(origin_, ": more than one \"rows\" member; nothing applied"));
        } else {
          saw_rows = true;
          RETURN_IF_ERROR(Rows());
        }
      } while (Accept(','));
      RETURN_IF_ERROR(Close());
    }
    SkipSpace();
    if (i_ != t_.size()) return Malformed("trailing characters after the top-level object");
    if (!saw_rows) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin_, ": expected a JSON object {\"rows\": [...]}; nothing applied"));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Rows() {
    SkipSpace();
    if (!Peek('[')) return Malformed("expected '['");
    RETURN_IF_ERROR(Open('['));
    if (Accept(']')) return CloseEmpty();
    do {
      const int64_t index = open_.back().index;
      if (index >= limits_.max_rows) {
        return LimitError(kTooManyRows, absl::StrCat("more than ", limits_.max_rows,
                                                     " rows (RISKCAP_FEED_MAX_ROWS)"));
      }
      RETURN_IF_ERROR(Row(next_row_(), index));
      ++open_.back().index;
    } while (Accept(','));
    return Close();
  }

  absl::Status Row(Message* msg, int64_t index) {
    SkipSpace();
    const size_t start = i_;
    const size_t depth = open_.size();
    absl::Status flat = FlatRow(msg);
    if (flat.ok()) return flat;
    if (!nested_) return RowError(index, flat);
    // A nested value: protobuf's own JSON parser takes the whole row, once it is known to be
    // within the limits.
    nested_ = false;
    i_ = start;
    open_.resize(depth);
    RETURN_IF_ERROR(SkipValue());
    msg->Clear();
    auto status = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(t_.data() + start, i_ - start), msg);
    if (!status.ok()) {
      return RowError(index, absl::InvalidArgumentError(absl::StrCat(": ", status.ToString())));
    }
    return absl::OkStatus();
  }

  // Errors inside a row: syntax and limit errors stand as they are; others get the row's name.
  absl::Status RowError(int64_t index, const absl::Status& s) {
    if (absl::IsDataLoss(s) || FeedLimitCode(s)) return s;
    return absl::InvalidArgumentError(absl::StrCat(origin_, ": rows[", index, "]", s.message()));
  }

  absl::Status FlatRow(Message* msg) {
    SkipSpace();
    if (!Peek('{')) return Malformed("expected '{'");
    RETURN_IF_ERROR(Open('{'));
    if (Accept('}')) return CloseEmpty();
    const Descriptor* d = msg->GetDescriptor();
    do {
      RETURN_IF_ERROR(Key());
      const std::string& key = open_.back().key;
      SkipSpace();
      if (Peek('{') || Peek('[')) {
        nested_ = true;
        return absl::InvalidArgumentError("nested");
      }
      std::string value;
      bool is_null = false;
      RETURN_IF_ERROR(Scalar(&value, &is_null));
      const FieldDescriptor* f = d->FindFieldByName(key);
      if (f == nullptr) f = d->FindFieldByCamelcaseName(key);
      if (f == nullptr || f->is_repeated()) {
        return absl::InvalidArgumentError(
            absl::StrCat(": unknown field ", QuoteForMessage(key)));
      }
      if (is_null) continue;
      absl::Status set = SetCell(msg, f, value);
      if (!set.ok()) return absl::InvalidArgumentError(absl::StrCat(".", key, ": ", set.message()));
    } while (Accept(','));
    return Close();
  }

  // Skips one value of any shape without recursion: open containers go on open_.
  absl::Status SkipValue() {
    const size_t base = open_.size();
    for (;;) {
      SkipSpace();
      if (Peek('{') || Peek('[')) {
        const char opener = t_[i_];
        RETURN_IF_ERROR(Open(opener));
        if (!Accept(open_.back().closer)) {
          if (opener == '{') RETURN_IF_ERROR(Key());
          continue;  // read its first member
        }
        RETURN_IF_ERROR(CloseEmpty());  // a complete value
      } else {
        std::string ignored;
        bool is_null = false;
        RETURN_IF_ERROR(Scalar(&ignored, &is_null));
      }
      // A value is complete: go on to the next member, or close the containers it finished.
      for (;;) {
        if (open_.size() == base) return absl::OkStatus();
        if (Accept(',')) {
          if (open_.back().closer == '}') {
            RETURN_IF_ERROR(Key());
          } else {
            ++open_.back().index;
          }
          break;
        }
        RETURN_IF_ERROR(Close());
      }
    }
  }

  // Consumes `opener` and pushes its container, within the nesting limit.
  absl::Status Open(char opener) {
    RETURN_IF_ERROR(Expect(opener));
    if (open_.size() >= static_cast<size_t>(kMaxFeedNesting)) {
      return LimitError(kTooDeep, absl::StrCat("JSON nested more than ", kMaxFeedNesting,
                                               " levels deep at byte ", i_ - 1));
    }
    open_.push_back({opener == '{' ? '}' : ']', "", 0});
    return absl::OkStatus();
  }

  // Pops a container whose closer was just accepted.
  absl::Status CloseEmpty() {
    open_.pop_back();
    return absl::OkStatus();
  }

  absl::Status Close() {
    RETURN_IF_ERROR(Expect(open_.back().closer));
    open_.pop_back();
    return absl::OkStatus();
  }

  // A member name and its ':'; the name becomes the current member of the innermost object.
  absl::Status Key() {
    open_.back().key.clear();
    std::string key;
    RETURN_IF_ERROR(String(&key));
    RETURN_IF_ERROR(Expect(':'));
    open_.back().key = std::move(key);
    return absl::OkStatus();
  }

  // A string (unescaped), number or literal as text; null sets *is_null.
  absl::Status Scalar(std::string* out, bool* is_null) {
    SkipSpace();
    if (Peek('"')) return String(out);
    const size_t start = i_;
    while (i_ < t_.size() && (absl::ascii_isalnum(static_cast<unsigned char>(t_[i_])) ||
                              t_[i_] == '-' || t_[i_] == '+' || t_[i_] == '.')) {
      ++i_;
      if (i_ - start > static_cast<size_t>(limits_.max_field_bytes)) return FieldTooLong();
    }
    if (i_ == start) return Malformed("expected a value");
    if (i_ == t_.size()) return Malformed("unexpected end of input");
    out->assign(t_.substr(start, i_ - start));
    const char first = (*out)[0];
    const bool number = first == '-' || absl::ascii_isdigit(static_cast<unsigned char>(first));
    if (!number && *out != "true" && *out != "false" && *out != "null") {
      i_ = start;
      return Malformed("expected a value");
    }
    *is_null = *out == "null";
    return absl::OkStatus();
  }

  absl::Status String(std::string* out) {
    SkipSpace();
    RETURN_IF_ERROR(Expect('"'));
    out->clear();
    const size_t max = static_cast<size_t>(limits_.max_field_bytes);
    while (i_ < t_.size()) {
      // A run of plain bytes, copied at once (and never more than the field limit allows).
      const size_t room = max - std::min(max, out->size());
      const size_t stop = std::min(t_.size(), i_ + room + 1);
      size_t end = i_;
      while (end < stop && t_[end] != '"' && t_[end] != '\\' &&
             static_cast<unsigned char>(t_[end]) >= 0x20) {
        ++end;
      }
      const std::string_view run = t_.substr(i_, end - i_);
      if (out->size() + run.size() > max) return FieldTooLong();
      if (end == t_.size()) break;
      // A run ends at an ASCII byte, so it never splits a well-formed sequence.
      if (std::optional<size_t> bad = FindInvalidUtf8(run)) {
        i_ += *bad;
        return InvalidUtf8();
      }
      out->append(run);
      i_ = end;
      const char c = t_[i_++];
      if (c == '"') return absl::OkStatus();
      if (c != '\\') return Malformed("control character inside a string");
      RETURN_IF_ERROR(Escape(out));
    }
    return Malformed("unexpected end of input inside a string");
  }

  absl::Status Escape(std::string* out) {
    if (i_ >= t_.size()) return Malformed("unexpected end of input inside a string");
    const char e = t_[i_++];
    switch (e) {
      case '"': case '\\': case '/': out->push_back(e); return absl::OkStatus();
      case 'b': out->push_back('\b'); return absl::OkStatus();
      case 'f': out->push_back('\f'); return absl::OkStatus();
      case 'n': out->push_back('\n'); return absl::OkStatus();
      case 'r': out->push_back('\r'); return absl::OkStatus();
      case 't': out->push_back('\t'); return absl::OkStatus();
      case 'u': return Unicode(out);
      default: return Malformed("bad escape in a string");
    }
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

  // A \u escape (a surrogate pair takes two) as UTF-8; a lone surrogate is not a character.
  absl::Status Unicode(std::string* out) {
    uint32_t cp = 0;
    RETURN_IF_ERROR(Hex4(&cp));
    if (cp >= 0xDC00 && cp <= 0xDFFF) return Malformed("unpaired surrogate");
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

  void SkipSpace() {
    while (i_ < t_.size() &&
           (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\r' || t_[i_] == '\t')) {
      ++i_;
    }
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

  // Where the reader is, as a path: rows[12].asset_nickname ("" at the top level).
  std::string Where() const {
    std::string out;
    for (const OpenContainer& c : open_) {
      if (c.closer == ']') {
        absl::StrAppend(&out, "[", c.index, "]");
      } else if (!c.key.empty()) {
        const std::string name = IsPlainName(c.key) ? c.key : QuoteForMessage(c.key);
        absl::StrAppend(&out, out.empty() ? "" : ".", name);
      }
    }
    return out;
  }

  absl::Status LimitError(const char* code, const std::string& what) {
    const std::string where = Where();
    return FeedLimitError(code, absl::StrCat(origin_, ": ", where, where.empty() ? "" : ": ",
                                             what));
  }
  absl::Status FieldTooLong() {
    return LimitError(kFieldTooLong,
                      absl::StrCat("a value longer than ", limits_.max_field_bytes,
                                   " bytes at byte ", i_, " (RISKCAP_FEED_MAX_FIELD_BYTES)"));
  }
  absl::Status InvalidUtf8() {
    return LimitError(kInvalidUtf8,
                      absl::StrFormat("invalid UTF-8 (byte 0x%02X at byte %d of the payload); "
                                      "feeds must be UTF-8 encoded",
                                      static_cast<unsigned char>(t_[i_]), i_));
  }
  // DataLoss marks a syntax error of the payload (as opposed to a bad row value).
  absl::Status Malformed(const std::string& what) {
    return absl::DataLossError(absl::StrCat(
        origin_, ": the payload is not valid JSON (truncated or malformed): ", what, " at byte ",
        i_, "; nothing applied"));
  }

  std::string_view t_;
  const std::string& origin_;
  const FeedLimits& limits_;
  const std::function<Message*()>& next_row_;
  size_t i_ = 0;
  std::vector<OpenContainer> open_;
  bool nested_ = false;
};

}  // namespace

absl::Status ParseJsonRows(std::string_view text, const std::string& origin,
                           const FeedLimits& limits, const std::function<Message*()>& next_row) {
  absl::Status s = JsonRows(text, origin, limits, next_row).Parse();
  if (absl::IsDataLoss(s)) return absl::InvalidArgumentError(s.message());
  return s;
}

}  // namespace riskcap::server::sources
