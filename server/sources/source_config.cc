// Per-job source selection.
#include "server/sources/source_config.h"

#include <string>

namespace riskcap::server::sources {

SourceConfig SourceFor(const SourcesConfig& config, std::string_view job) {
  SourceConfig out;
  auto it = config.per_job.find(std::string(job));
  out.location = it != config.per_job.end() ? it->second : config.default_location;
  out.http.bearer_token = config.token;
  out.http.timeout = absl::Seconds(config.timeout_seconds);
  out.http.retries = config.retries;
  out.http.insecure_skip_tls_verify = config.insecure_skip_tls_verify;
  out.min_feed_fraction = config.feed_guard_fraction;
  out.limits = config.feed_limits;
  return out;
}

}  // namespace riskcap::server::sources
