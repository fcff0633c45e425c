// Fuzzes the `riskcap calc` input reader (client/benchmark_json.cc): nlohmann-json with a depth
// limit, then the netting-set mapping. Accepted input makes a request protobuf accepts; every
// error message is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/benchmark_json.h"
#include "core/absl_compat.h"
#include "core/utf8.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto request = riskcap::client::BenchmarkRequestFromText(text, "fuzz.json",
                                                             riskcap::client::CalcMethod::kSaccr);
  if (!request.ok()) {
    FUZZ_CHECK(riskcap::IsValidUtf8(riskcap::StdView(request.status().message())));
    return 0;
  }
  std::string wire;
  FUZZ_CHECK(request->SerializeToString(&wire));
  riskcap::v1::CalculateBenchmarkRequest back;
  FUZZ_CHECK(back.ParseFromString(wire));
  return 0;
}
