// The source of one data job, from the server configuration (server/daemon/config.h SourcesConfig).
#pragma once

#include <string_view>

#include "server/daemon/config.h"
#include "server/sources/feed_source.h"

namespace riskcap::server::sources {

// RISKCAP_SOURCE_<JOB> when set, else RISKCAP_SOURCE; with the shared token, timeout, retries,
// TLS flag, feed-guard fraction and feed limits.
SourceConfig SourceFor(const SourcesConfig& config, std::string_view job);

}  // namespace riskcap::server::sources
