// Fuzzes store URL parsing and redaction (db/store_url.cc): any text is accepted or refused,
// never more, and a password planted in a URL never survives redaction whatever follows it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "db/store_url.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto url = riskcap::db::ParseStoreUrl(text);
  if (url.ok()) FUZZ_CHECK(!url->target.empty());
  const std::string planted = "postgresql://riskcap:Zq7Secret@db1:5432/riskcap?sslmode=require&" +
                              std::string(text);
  if (text.find("Zq7Secret") == std::string_view::npos) {  // the fuzzer may learn the word
    FUZZ_CHECK(riskcap::db::RedactStoreUrl(planted).find("Zq7Secret") == std::string::npos);
  }
  return 0;
}
