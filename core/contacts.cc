// Validation of managers' contacts.
#include "core/contacts.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/absl_compat.h"
#include "core/delivery.h"

namespace riskcap {
namespace {

bool LocalChar(char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::string_view("\"(),:;<>@[\\]").find(c) == std::string_view::npos;
}

bool ValidLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

}  // namespace

absl::Status CheckEmailAddress(std::string_view address) {
  if (address.size() > kMaxEmailBytes) {
    return absl::InvalidArgumentError(absl::StrCat("is ", address.size(), " bytes; at most ",
                                                   kMaxEmailBytes, " are allowed"));
  }
  const size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) {
    return absl::InvalidArgumentError("must be an address of the form local@domain");
  }
  std::string_view local = address.substr(0, at), domain = address.substr(at + 1);
  if (local.size() > 64) return absl::InvalidArgumentError("has a local part over 64 characters");
  for (char c : local) {
    if (!LocalChar(c)) {
      return absl::InvalidArgumentError(
          "has a local part with a space, control character, quote, bracket or '@'");
    }
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return absl::InvalidArgumentError("has a local part with a misplaced '.'");
  }
  std::vector<absl::string_view> labels = absl::StrSplit(AbslView(domain), '.');
  if (labels.size() < 2) return absl::InvalidArgumentError("needs a domain with a '.'");
  for (absl::string_view label : labels) {
    if (!ValidLabel(std::string_view(label.data(), label.size()))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "has an invalid domain label '", label,
          "' (1..63 letters, digits or '-', not starting or ending with '-')"));
    }
  }
  return absl::OkStatus();
}

std::string UrlHost(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t user = rest.rfind('@'); user != std::string_view::npos) {
    rest = rest.substr(user + 1);
  }
  if (!rest.empty() && rest.front() == '[') {
    const size_t end = rest.find(']');
    return end == std::string_view::npos ? "" : std::string(rest.substr(1, end - 1));
  }
  return std::string(rest.substr(0, rest.find(':')));
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr addr{};
  const std::string text(host);
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1) return false;
  return (ntohl(addr.s_addr) >> 24) == 127;
}

absl::Status CheckWebhookUrl(std::string_view url) {
  if (url.size() > kMaxWebhookUrlBytes) {
    return absl::InvalidArgumentError(absl::StrCat("is ", url.size(), " bytes; at most ",
                                                   kMaxWebhookUrlBytes, " are allowed"));
  }
  for (char c : url) {
    if (c <= 0x20 || c >= 0x7f) {
      return absl::InvalidArgumentError("must be printable ASCII without spaces");
    }
  }
  const bool https = absl::StartsWith(AbslView(url), "https://");
  if (!https && !absl::StartsWith(AbslView(url), "http://")) {
    return absl::InvalidArgumentError("must start with https://");
  }
  const std::string host = UrlHost(url);
  if (host.empty()) return absl::InvalidArgumentError("has no host");
  if (!https && !IsLoopbackHost(host)) {
    return absl::InvalidArgumentError(
        "must use https:// (plain http:// is allowed only to a loopback host)");
  }
  return absl::OkStatus();
}

}  // namespace riskcap
