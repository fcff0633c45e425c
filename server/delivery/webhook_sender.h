// Webhook deliveries: an HTTPS POST of the delivery's JSON body, signed with HMAC-SHA256 under
// the manager's secret (docs/operations.md, "Webhooks" says how a receiver verifies it).
#pragma once

#include <string>

#include "absl/time/time.h"
#include "core/delivery.h"
#include "server/delivery/send_outcome.h"

namespace riskcap::server {

// "sha256=" + lower-case hex HMAC-SHA256(secret, timestamp + "." + body): the value of the
// X-Riskcap-Signature header, with `timestamp` the X-Riskcap-Timestamp header (Unix seconds).
std::string WebhookSignature(const std::string& secret, const std::string& timestamp,
                             const std::string& body);

class WebhookSender {
 public:
  explicit WebhookSender(absl::Duration timeout) : timeout_(timeout) {}

  // POSTs d.body to d.address. 2xx is sent; 5xx, 408, 429 and connection errors are Temporary;
  // any other status, and a URL that is not https:// (or http:// to loopback), Permanent.
  // Redirects are not followed.
  SendOutcome Send(const Delivery& d, const std::string& secret, absl::Time now) const;

 private:
  absl::Duration timeout_;
};

}  // namespace riskcap::server
