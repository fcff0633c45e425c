// Fetches upstream HTTP(S) JSON payloads through libcurl, with a bearer token, a timeout, and
// retries with exponential back-off on timeouts, connection errors and 5xx (never on 4xx).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/sources/feed_limits.h"

namespace riskcap::server::sources {

struct HttpOptions {
  std::string bearer_token;                    // sent as "Authorization: Bearer ..." when set
  absl::Duration timeout = absl::Seconds(30);  // per attempt, whole transfer
  int retries = 3;                             // attempts after the first
  absl::Duration initial_backoff = absl::Milliseconds(200);  // doubled after each retry
  // TLS peer and host verification is ON unless this is set; setting it logs a warning on
  // every fetch.
  bool insecure_skip_tls_verify = false;
  // A response announcing (Content-Length) or sending more body bytes than this is aborted and
  // not retried: a rows::LimitError (protos/rows/row_limits.h, kTooLarge).
  int64_t max_body_bytes = FeedLimits{}.max_bytes;
};

// The body of a successful (2xx) response and how many attempts it took.
struct HttpResponse {
  std::string body;
  int attempts = 0;
};

// Stateless apart from its options; safe for concurrent use.
class HttpFetcher {
 public:
  explicit HttpFetcher(HttpOptions options) : options_(std::move(options)) {}

  // GETs `url`. Errors, each naming the URL and the attempts made: DeadlineExceeded (every attempt
  // timed out), Unavailable (connection/TLS errors or 5xx after the retries), PermissionDenied
  // (401/403), FailedPrecondition (other 4xx, not retried), rows::LimitError (body too large, not
  // retried).
  absl::StatusOr<HttpResponse> Get(const std::string& url) const;

 private:
  HttpOptions options_;
};

}  // namespace riskcap::server::sources
