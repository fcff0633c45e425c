// Error paths for JSON rows, from simdjson's on-demand walk: over a copy whose ill-formed bytes
// are made '?' (to find the path of a byte), and over a copy closed at its end (to find how deep
// an unclosed document nests).
#include "protos/rows/json_error_path.h"

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/utf8.h"
#include "protos/rows/field_text.h"
#include "protos/rows/row_limits.h"

namespace riskcap::rows {
namespace {

namespace od = simdjson::ondemand;

// `text` with each byte that is not part of a well-formed UTF-8 sequence replaced by '?': the
// same length, so offsets into it are offsets into `text`.
std::string WithIllFormedBytesMarked(std::string_view text) {
  std::string out(text);
  size_t from = 0;
  while (auto bad = FindInvalidUtf8(std::string_view(out).substr(from))) {
    out[from + *bad] = '?';
    from += *bad + 1;
  }
  return out;
}

// Walks a document in order, as far as the first key or value that begins after `stop` (nullptr:
// no such stop), an error, or a container past kMaxNesting, and keeps the path of the last key or
// value it reached.
class Walker {
 public:
  explicit Walker(const char* stop) : stop_(stop) {}
  const std::string& path() const { return path_; }
  bool too_deep() const { return too_deep_; }

  // False once the walk has stopped.
  bool Value(od::value& value) {
    if (!Reached(value.raw_json_token().data())) return false;
    od::json_type type{};
    if (value.type().get(type) != simdjson::SUCCESS) return false;
    if (type != od::json_type::object && type != od::json_type::array) return true;
    if (open_.size() >= static_cast<size_t>(kMaxNesting)) {
      too_deep_ = true;
      return false;
    }
    return type == od::json_type::object ? Object(value) : Array(value);
  }

 private:
  bool Reached(const char* token) {
    if (stop_ != nullptr && token > stop_) return false;
    path_ = PathOf(open_);
    return true;
  }

  bool Object(od::value& value) {
    od::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) return false;
    open_.push_back({false, "", 0});
    for (auto field : object) {
      od::raw_json_string raw_key;
      std::string_view key;
      od::value child;
      if (field.key().get(raw_key) != simdjson::SUCCESS ||
          field.unescaped_key().get(key) != simdjson::SUCCESS) {
        return false;
      }
      open_.back().key.assign(key);
      if (!Reached(raw_key.raw()) || field.value().get(child) != simdjson::SUCCESS ||
          !Value(child)) {
        return false;
      }
    }
    open_.pop_back();
    return true;
  }

  bool Array(od::value& value) {
    od::array array;
    if (value.get_array().get(array) != simdjson::SUCCESS) return false;
    open_.push_back({true, "", 0});
    for (auto element : array) {
      od::value child;
      if (element.get(child) != simdjson::SUCCESS || !Value(child)) return false;
      ++open_.back().index;
    }
    open_.pop_back();
    return true;
  }

  const char* stop_;
  std::vector<JsonContainer> open_;
  std::string path_;
  bool too_deep_ = false;
};

// Walks `text` (padded) from its root; `stop` is an offset into it, or npos for no stop.
Walker Walk(const simdjson::padded_string& text, size_t stop) {
  Walker walker(stop == std::string_view::npos ? nullptr : text.data() + stop);
  od::parser parser;
  od::document doc;
  od::value root;
  if (parser.iterate(text).get(doc) == simdjson::SUCCESS &&
      doc.get_value().get(root) == simdjson::SUCCESS) {
    walker.Value(root);
  }
  return walker;
}

}  // namespace

std::string PathOf(const std::vector<JsonContainer>& open) {
  std::string out;
  for (const JsonContainer& c : open) {
    if (c.array) {
      absl::StrAppend(&out, "[", c.index, "]");
    } else if (!c.key.empty()) {
      absl::StrAppend(&out, out.empty() ? "" : ".", NameInPath(c.key));
    }
  }
  return out;
}

std::string PathOfByte(std::string_view text, size_t at) {
  return Walk(simdjson::padded_string(WithIllFormedBytesMarked(text)), at).path();
}

std::optional<std::string> TooDeepPath(std::string_view text) {
  // simdjson refuses a document whose last structural character does not close its root before
  // reading any of it; closed so, the walk goes as deep as the text does.
  const size_t root = text.find_first_not_of(" \t\r\n");
  if (root == std::string_view::npos || (text[root] != '{' && text[root] != '[')) {
    return std::nullopt;
  }
  const Walker walker =
      Walk(simdjson::padded_string(absl::StrCat(AbslView(text), text[root] == '{' ? "}" : "]")),
           std::string_view::npos);
  if (!walker.too_deep()) return std::nullopt;
  return walker.path();
}

}  // namespace riskcap::rows
