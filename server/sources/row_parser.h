// Parses a feed payload (docs/sources.md "Data files": JSON {"rows":[...]} or CSV with a header
// of field names) into riskcap.v1 messages through the rows library, all or nothing. Only the
// syntax and the field values are checked here; the rows are then validated by the same
// converters the ingest RPCs use (server/snapshots/convert_snapshot).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protos/rows/row_reader.h"
#include "server/sources/feed_limits.h"

namespace riskcap::server::sources {

using FeedFormat = rows::RowFormat;

// Parses `text` and calls `next_row()` for each row to get the message (of `type`) to fill, a
// fresh one per row. Stops at the first error: InvalidArgument naming `origin`, the row and the
// field; a rows::LimitError (same code) when the payload breaks a limit. Nothing is returned for
// a payload that fails, so callers apply nothing.
absl::Status ParseFeedRows(std::string_view text, FeedFormat format, const std::string& origin,
                           const google::protobuf::Descriptor& type,
                           const std::function<google::protobuf::Message*()>& next_row,
                           const FeedLimits& limits = {});

// Typed convenience wrapper.
template <typename Msg>
absl::StatusOr<std::vector<Msg>> ParseRows(std::string_view text, FeedFormat format,
                                           const std::string& origin,
                                           const FeedLimits& limits = {}) {
  std::vector<Msg> rows;
  auto next_row = [&rows]() -> google::protobuf::Message* { return &rows.emplace_back(); };
  absl::Status status = ParseFeedRows(text, format, origin, *Msg::descriptor(), next_row, limits);
  if (!status.ok()) return status;
  return rows;
}

}  // namespace riskcap::server::sources
