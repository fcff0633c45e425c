// Fuzzes the feed row parser (server/sources/row_parser.cc over the rows library): a first
// byte 'c' selects CSV, any other JSON; the rest is the payload, parsed into riskcap.v1
// positions under small limits so that every limit is reachable. Beyond not crashing: an error
// message is valid UTF-8 (it is stored in findings and sent in proto strings), and accepted rows
// are rows protobuf accepts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/absl_compat.h"
#include "core/utf8.h"
#include "riskcap/v1/common.pb.h"
#include "server/sources/row_parser.h"
#include "tests/fuzz/fuzz_input.h"

using riskcap::server::sources::FeedFormat;
using riskcap::server::sources::FeedLimits;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const FeedFormat format = data[0] == 'c' ? FeedFormat::kCsv : FeedFormat::kJson;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  FeedLimits limits;
  limits.max_rows = 64;
  limits.max_field_bytes = 256;
  auto rows = riskcap::server::sources::ParseRows<riskcap::v1::Position>(text, format, "fuzz",
                                                                         limits);
  if (!rows.ok()) {
    FUZZ_CHECK(riskcap::IsValidUtf8(riskcap::StdView(rows.status().message())));
    return 0;
  }
  FUZZ_CHECK(rows->size() <= 64);
  for (const riskcap::v1::Position& row : *rows) {
    std::string wire;
    FUZZ_CHECK(row.SerializeToString(&wire));
    riskcap::v1::Position back;
    FUZZ_CHECK(back.ParseFromString(wire));  // refuses strings that are not UTF-8
  }
  return 0;
}
