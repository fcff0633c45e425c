// Fuzzes money parsing (core/money.cc). An amount Parse accepts round-trips through ToString,
// and ParseRounded agrees with it; rounding and arithmetic never fail unchecked.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/money.h"
#include "tests/fuzz/fuzz_input.h"

using riskcap::Money;
using riskcap::RoundingMode;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto exact = Money::Parse(text);
  for (RoundingMode mode : {RoundingMode::kHalfEven, RoundingMode::kHalfUp,
                            RoundingMode::kTruncate}) {
    auto rounded = Money::ParseRounded(text, mode);
    if (exact.ok()) FUZZ_CHECK(rounded.ok() && *rounded == *exact);
    if (rounded.ok()) (void)rounded->RoundToCents(mode);
  }
  if (!exact.ok()) return 0;
  auto again = Money::Parse(exact->ToString());
  FUZZ_CHECK(again.ok() && *again == *exact);
  (void)exact->Add(*exact);
  (void)exact->Subtract(Money::FromMicros(-(exact->micros() / 2)));
  return 0;
}
