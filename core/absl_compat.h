// Bridges std::string_view to Abseil: Debian's Abseil is built with its own absl::string_view,
// a distinct type that does not convert from std::string_view.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace riskcap {

// The same characters as an absl::string_view, for absl::StrCat, absl::StartsWith and friends.
inline absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }
// And back, for absl::Status::message() and similar.
inline std::string_view StdView(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace riskcap
