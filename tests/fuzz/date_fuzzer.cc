// Fuzzes date parsing (core/date.cc): a date ParseDate accepts formats back to the same text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/date.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto date = riskcap::ParseDate(text);
  if (!date.ok()) return 0;
  FUZZ_CHECK(riskcap::FormatDate(*date) == text);
  return 0;
}
