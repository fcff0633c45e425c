// Opaque page tokens for List RPCs: keyset pagination on an integer key, base64url-encoded.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "db/store.h"

namespace riskcap::server {

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

// The store page for (page_size, page_token): size 0 means the default, above the maximum is
// clamped; a token that this server did not issue is INVALID_ARGUMENT naming page_token.
absl::StatusOr<db::Page> PageFromRequest(int32_t page_size, const std::string& page_token);

// The token that continues after `last_key`; empty when `returned` < `requested` (no more rows).
std::string NextPageToken(int64_t last_key, size_t returned, int requested);

}  // namespace riskcap::server
