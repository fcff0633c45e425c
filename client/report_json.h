// The dashboard's rows as the JSON its page script filters and draws from, safe to embed in a
// <script type="application/json"> element.
#pragma once

#include <string>

#include "client/report_data.h"

namespace riskcap::client {

// {"rows":[...], "labels":{code: words}, "views":[fund ids]}. Money stays the exact decimal
// strings and utilisation and cap the API's doubles (printed to round-trip), so sorting in the
// page compares exact values. Every '<' is written as \u003c, so no text can close the element.
std::string DashboardJson(const DashboardData& data);

}  // namespace riskcap::client
