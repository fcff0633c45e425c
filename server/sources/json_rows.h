// Reads a JSON feed payload {"rows": [{...}, ...]} into riskcap.v1 messages. Iterative (an
// explicit stack of open containers, at most kMaxFeedNesting deep), so no input can exhaust the
// thread's stack; every string, number and member name is held to the field limit and checked as
// UTF-8 as it is read.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "server/sources/feed_limits.h"

namespace riskcap::server::sources {

// Parses `text`, calling `next_row()` for the message to fill for each row. InvalidArgument
// naming `origin`, the row and the field; a FeedLimitError (feed_limits.h) when a limit is broken.
absl::Status ParseJsonRows(std::string_view text, const std::string& origin,
                           const FeedLimits& limits,
                           const std::function<google::protobuf::Message*()>& next_row);

}  // namespace riskcap::server::sources
