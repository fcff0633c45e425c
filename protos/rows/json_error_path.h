// Where a JSON document went wrong, for the errors simdjson reports for the document as a whole
// before any value is read: the path of an ill-formed UTF-8 byte, and whether an unclosed
// document nests deeper than the limit. Both walk the text with simdjson's on-demand API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace riskcap::rows {

// One open object or array on the way to a value.
struct JsonContainer {
  bool array;
  std::string key;    // objects: the member being read
  int64_t index = 0;  // arrays: the element being read
};

// The containers as a path: rows[12].asset_nickname ("" at the top level).
std::string PathOf(const std::vector<JsonContainer>& open);

// The path of the key or value that holds byte `at` of `text` (the first ill-formed UTF-8 byte),
// or of the last one that begins before it; "" when nothing does.
std::string PathOfByte(std::string_view text, size_t at);

// For `text` that simdjson refused before reading a value (an unclosed container): the path where
// it opens a container past kMaxNesting, or nullopt when it does not nest that deep.
std::optional<std::string> TooDeepPath(std::string_view text);

}  // namespace riskcap::rows
