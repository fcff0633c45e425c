// Validation of managers' contacts: e-mail addresses and webhook URLs (bounds in core/delivery.h).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace riskcap {

// InvalidArgument saying why unless `address` is a plain addr-spec "local@domain": at most
// kMaxEmailBytes, a local part of 1..64 printable ASCII characters without spaces, quotes or
// brackets, and a domain of dot-separated letter/digit/hyphen labels with at least one dot.
// No display names, comments or line breaks, so an address can never inject a mail header.
absl::Status CheckEmailAddress(std::string_view address);

// The host of an http(s) URL (without brackets or port); empty when there is none.
std::string UrlHost(std::string_view url);

// True for "localhost", ::1 and a literal 127.0.0.0/8 address.
bool IsLoopbackHost(std::string_view host);

// InvalidArgument saying why unless `url` is https://host[...] (or http:// to a loopback host, for
// local receivers), at most kMaxWebhookUrlBytes of printable ASCII.
absl::Status CheckWebhookUrl(std::string_view url);

}  // namespace riskcap
