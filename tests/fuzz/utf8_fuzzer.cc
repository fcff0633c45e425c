// Fuzzes the UTF-8 checks (core/utf8.cc): scrubbing yields valid text and changes valid text not
// at all; quoting for messages always yields valid text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/utf8.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const bool valid = riskcap::IsValidUtf8(text);
  const std::string scrubbed = riskcap::ScrubUtf8(text);
  FUZZ_CHECK(riskcap::IsValidUtf8(scrubbed));
  FUZZ_CHECK(valid == (scrubbed == text));
  for (size_t max : {size_t{0}, size_t{1}, size_t{7}, size}) {
    FUZZ_CHECK(riskcap::IsValidUtf8(riskcap::QuoteForMessage(text, max)));
  }
  return 0;
}
