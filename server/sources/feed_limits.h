// The feed's limits are the data-file limits of the rows library (protos/rows/row_limits.h: values,
// codes, LimitError); server configuration fills them from RISKCAP_FEED_* (docs/operations.md
// "Input limits").
#pragma once

#include "protos/rows/row_limits.h"

namespace riskcap::server::sources {

using FeedLimits = rows::RowLimits;

}  // namespace riskcap::server::sources
