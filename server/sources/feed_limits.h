// Limits on one feed payload (docs/operations.md "Input limits"), and how a payload that breaks
// one is told apart from an ordinary error: the data job quarantines it (QUARANTINED_FEED).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace riskcap::server::sources {

// JSON containers open at once (the {"rows":[{...}]} envelope counts 3). Not configurable: no
// feed needs more, and it bounds the parser's stack.
inline constexpr int kMaxFeedNesting = 64;

struct FeedLimits {
  // RISKCAP_FEED_MAX_BYTES: an HTTP body (announced or received) or a file larger than this is
  // refused before it is read whole.
  int64_t max_bytes = int64_t{256} << 20;
  // RISKCAP_FEED_MAX_ROWS: rows in one payload.
  int64_t max_rows = 5'000'000;
  // RISKCAP_FEED_MAX_FIELD_BYTES: one CSV cell, JSON string, number or member name.
  int64_t max_field_bytes = int64_t{64} << 10;
};

// Why a payload breaks a limit; stable, it goes into the QUARANTINED_FEED finding's dedup key.
inline constexpr char kTooLarge[] = "TOO_LARGE";
inline constexpr char kTooDeep[] = "TOO_DEEP";
inline constexpr char kTooManyRows[] = "TOO_MANY_ROWS";
inline constexpr char kFieldTooLong[] = "FIELD_TOO_LONG";
inline constexpr char kInvalidUtf8[] = "INVALID_UTF8";

// InvalidArgument with `message`, marked as a broken limit `code` (one of the above).
absl::Status FeedLimitError(std::string_view code, std::string_view message);

// The code of a FeedLimitError; nullopt for any other status.
std::optional<std::string> FeedLimitCode(const absl::Status& status);

}  // namespace riskcap::server::sources
