// Fuzzes page token parsing (server/page_token.cc): 4 bytes of page_size, then the token. A page
// it accepts has a limit in 1..kMaxPageSize and a key that NextPageToken round-trips.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "server/page_token.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  int32_t page_size = 0;
  std::memcpy(&page_size, data, 4);
  const std::string token(reinterpret_cast<const char*>(data) + 4, size - 4);
  auto page = riskcap::server::PageFromRequest(page_size, token);
  if (!page.ok()) return 0;
  FUZZ_CHECK(page->limit >= 1 && page->limit <= riskcap::server::kMaxPageSize);
  FUZZ_CHECK(page->after_id >= 0);
  const std::string next = riskcap::server::NextPageToken(page->after_id, 1, 1);
  auto again = riskcap::server::PageFromRequest(0, next);
  FUZZ_CHECK(again.ok() && again->after_id == page->after_id);
  return 0;
}
