// UUID v4 generation from the operating system's random source.
#include "client/request_id.h"

#include <array>
#include <cstdint>
#include <random>

#include "absl/strings/str_format.h"

namespace riskcap::client {

std::string NewRequestId() {
  std::random_device random;  // the OS source (/dev/urandom on Linux)
  std::array<uint8_t, 16> b;
  for (size_t i = 0; i < b.size(); i += 4) {
    uint32_t word = random();
    for (size_t k = 0; k < 4; ++k) b[i + k] = static_cast<uint8_t>(word >> (8 * k));
  }
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  return absl::StrFormat("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                         b[12], b[13], b[14], b[15]);
}

}  // namespace riskcap::client
