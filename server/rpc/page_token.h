// Opaque page tokens for List RPCs: keyset pagination on an integer key, bound to the List method
// and its filters by an HMAC-SHA256 under the store's page-token key (migration 0011), so a token
// is good only for the query that returned it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "db/store.h"
#include "server/rpc/request_log.h"

namespace riskcap::server {

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

// The query a token belongs to: the short method name and a canonical form of its filters.
struct PageQuery {
  std::string method;   // e.g. "FundService/ListFunds"
  std::string filters;  // e.g. a hash of the request without page_size and page_token
};

// One List call's page and the tokens that continue its query.
class Pager {
 public:
  Pager(db::Page page, PageQuery query, std::string key)
      : page(page), query_(std::move(query)), key_(std::move(key)) {}

  db::Page page;  // where this call starts and how many rows it returns

  // The token that continues after `last_key`; empty when `returned` < `requested` (no more
  // rows). Valid only for a call with the same method and filters.
  std::string NextToken(int64_t last_key, size_t returned, int requested) const;

 private:
  PageQuery query_;
  std::string key_;
};

// The page for (page_size, page_token) of `query`, tokens checked and made under `key`: size 0
// means the default, above the maximum is clamped. A token not made under `key` for this method
// and these filters is INVALID_ARGUMENT naming page_token.
absl::StatusOr<Pager> PageFromKey(std::string key, PageQuery query, int32_t page_size,
                                  const std::string& page_token);

// PageFromKey under the store's page-token key (generated once per database).
inline absl::StatusOr<Pager> PageFromRequest(db::Store& store, PageQuery query,
                                             int32_t page_size, const std::string& page_token) {
  absl::StatusOr<std::string> key = store.PageTokenKey();
  if (!key.ok()) return key.status();
  return PageFromKey(*std::move(key), std::move(query), page_size, page_token);
}

// The same for a List request message: its filters are every field but page_size and
// page_token, hashed (so changing any filter invalidates the token; changing the size does not).
template <typename Request>
absl::StatusOr<Pager> PagerFor(db::Store& store, std::string_view method, const Request& r) {
  Request filters = r;
  filters.clear_page_size();
  filters.clear_page_token();
  return PageFromRequest(store, PageQuery{std::string(method), RequestContentHash(filters)},
                         r.page_size(), r.page_token());
}

}  // namespace riskcap::server
