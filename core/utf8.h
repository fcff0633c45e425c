// UTF-8 checks for text that comes from outside (feeds, files, stored rows) and must survive
// proto3 `string` fields, which refuse anything that is not well-formed UTF-8.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace riskcap {

// The offset of the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence); nullopt when the
// whole text is well formed.
std::optional<size_t> FindInvalidUtf8(std::string_view text);

inline bool IsValidUtf8(std::string_view text) { return !FindInvalidUtf8(text).has_value(); }

// `text` with each byte that is not part of a well-formed sequence replaced by U+FFFD; well-formed
// text is returned as it is, without a copy.
std::string ScrubUtf8(std::string text);

// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside a multi-byte
// sequence: cutting well-formed text with it leaves well-formed text.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

// `text` for an error message: quoted, control characters and ill-formed bytes escaped (\n, \xE7),
// cut at a character boundary after `max_bytes` with "..." appended. Always valid UTF-8.
std::string QuoteForMessage(std::string_view text, size_t max_bytes = 64);

}  // namespace riskcap
