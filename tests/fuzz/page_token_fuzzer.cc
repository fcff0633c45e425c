// Fuzzes page token parsing (server/rpc/page_token.cc): 4 bytes of page_size, then the token. A page
// it accepts has a limit in 1..kMaxPageSize, and only a token made under the same key for the
// same query is accepted: the fuzzer can never forge one, and a token it is given round-trips.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "server/rpc/page_token.h"
#include "tests/fuzz/fuzz_input.h"

namespace {
const std::string kKey(32, '\x5a');
const riskcap::server::PageQuery kQuery{"FundService/ListFunds", "filters"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  int32_t page_size = 0;
  std::memcpy(&page_size, data, 4);
  const std::string token(reinterpret_cast<const char*>(data) + 4, size - 4);
  auto pager = riskcap::server::PageFromKey(kKey, kQuery, page_size, token);
  if (!pager.ok()) return 0;
  FUZZ_CHECK(pager->page.limit >= 1 && pager->page.limit <= riskcap::server::kMaxPageSize);
  FUZZ_CHECK(token.empty());  // any non-empty token would be a forged MAC
  // A token this key made for the fuzzed cursor is accepted for its query only.
  const int64_t cursor = static_cast<int64_t>(size) * 7919;
  const std::string next = pager->NextToken(cursor, 1, 1);
  auto again = riskcap::server::PageFromKey(kKey, kQuery, 0, next);
  FUZZ_CHECK(again.ok() && again->page.after_id == cursor);
  auto other = riskcap::server::PageFromKey(kKey, {"FundService/ListFunds", "other"}, 0, next);
  FUZZ_CHECK(!other.ok());
  return 0;
}
