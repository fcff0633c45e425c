// Parses a feed payload (formats.md: JSON {"rows":[...]} or RFC 4180 CSV with a header of
// snake_case field names) into riskcap.v1 messages. Only the syntax is checked here; the rows are
// then validated by the same converters the ingest RPCs use (server/convert_*).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/sources/feed_limits.h"

namespace riskcap::server::sources {

enum class FeedFormat { kJson, kCsv };

// Parses `text` and calls `row(index)` for each row to get the message to fill (a fresh one per
// row). InvalidArgument naming `origin`, the row and the field on malformed or truncated input;
// a FeedLimitError (feed_limits.h) when the payload breaks a limit: nesting, rows, field length,
// or text that is not UTF-8. Nothing is returned for a payload that fails, so callers apply
// nothing.
absl::Status ParseFeedRows(std::string_view text, FeedFormat format, const std::string& origin,
                           const std::function<google::protobuf::Message*()>& next_row,
                           const FeedLimits& limits = {});

// Typed convenience wrapper.
template <typename Msg>
absl::StatusOr<std::vector<Msg>> ParseRows(std::string_view text, FeedFormat format,
                                           const std::string& origin,
                                           const FeedLimits& limits = {}) {
  std::vector<Msg> rows;
  auto next_row = [&rows]() -> google::protobuf::Message* { return &rows.emplace_back(); };
  absl::Status status = ParseFeedRows(text, format, origin, next_row, limits);
  if (!status.ok()) return status;
  return rows;
}

}  // namespace riskcap::server::sources
