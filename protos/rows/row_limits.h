// Limits on one data file or feed payload (docs/operations.md "Input limits"), and how input that
// breaks one is told apart from an ordinary error: the feed jobs quarantine it (QUARANTINED_FEED).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace riskcap::rows {

// JSON containers open at once (the {"rows":[{...}]} envelope counts 3). Not configurable: no
// file needs more, and it bounds what the reader holds for a nested row.
inline constexpr int kMaxNesting = 64;

struct RowLimits {
  // RISKCAP_FEED_MAX_BYTES: text parsed from memory larger than this is refused unread (a feed's
  // HTTP body or file is held to it before it is read whole).
  int64_t max_bytes = int64_t{256} << 20;
  // RISKCAP_FEED_MAX_ROWS: rows in one file or payload.
  int64_t max_rows = 5'000'000;
  // RISKCAP_FEED_MAX_FIELD_BYTES: one CSV cell, JSON string, number or member name.
  int64_t max_field_bytes = int64_t{64} << 10;
};

// For a data file read from disk (the client's): the same byte, field-length and nesting limits,
// and no row count, since memory stays bounded whatever the count (a CSV file is streamed, a JSON
// file is held to max_bytes).
inline RowLimits StreamedFileLimits() {
  RowLimits limits;
  limits.max_rows = INT64_MAX;
  return limits;
}

// Why input breaks a limit; stable, it goes into the QUARANTINED_FEED finding's dedup key.
inline constexpr char kTooLarge[] = "TOO_LARGE";
inline constexpr char kTooDeep[] = "TOO_DEEP";
inline constexpr char kTooManyRows[] = "TOO_MANY_ROWS";
inline constexpr char kFieldTooLong[] = "FIELD_TOO_LONG";
inline constexpr char kInvalidUtf8[] = "INVALID_UTF8";

// InvalidArgument with `message`, marked as a broken limit `code` (one of the above).
absl::Status LimitError(std::string_view code, std::string_view message);

// The code of a LimitError; nullopt for any other status.
std::optional<std::string> LimitCode(const absl::Status& status);

}  // namespace riskcap::rows
