// The HTML dashboard's page script (inline, no network): fills the filters from the embedded
// rows, redraws tiles, overview charts, submission table and the shown fund views on every
// filter change, sorts tables on exact values, and sets <body data-status="ready"> when done.
#pragma once

namespace riskcap::client {

extern const char kDashboardScript[];

}  // namespace riskcap::client
