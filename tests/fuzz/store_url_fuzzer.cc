// Fuzzes store URL parsing (db/store_url.cc): any text is accepted or refused, never more.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "db/store_url.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto url = riskcap::db::ParseStoreUrl(text);
  if (url.ok()) FUZZ_CHECK(!url->target.empty() && url->redacted.size() <= text.size() + 3);
  return 0;
}
