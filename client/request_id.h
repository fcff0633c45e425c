// Idempotency keys for mutating calls: a random UUID v4 unless the user chose one.
#pragma once

#include <string>

namespace riskcap::client {

// A random (version 4, RFC 4122 variant) UUID in lower-case hex, e.g.
// "3b241101-e2bb-4255-8caf-4136c566a962". Thread-safe.
std::string NewRequestId();

}  // namespace riskcap::client
