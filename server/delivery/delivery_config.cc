// riskcapd's delivery settings: the checks across them.
#include "server/delivery/delivery_config.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/contacts.h"

namespace riskcap::server {

absl::Status ValidateDeliveryConfig(const DeliveryConfig& c) {
  if (c.max_backoff_ms < c.backoff_ms) {
    return absl::InvalidArgumentError(absl::StrCat("--delivery-max-backoff-ms (", c.max_backoff_ms,
                                                   ") must be at least --delivery-backoff-ms (",
                                                   c.backoff_ms, ")"));
  }
  if (c.smtp_url.empty()) return absl::OkStatus();
  const bool smtps = absl::StartsWith(c.smtp_url, "smtps://");
  if (!smtps && !absl::StartsWith(c.smtp_url, "smtp://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--smtp-url '", c.smtp_url, "' must start with smtp:// or smtps://"));
  }
  if (auto st = CheckEmailAddress(c.smtp_from); !st.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--smtp-from '", c.smtp_from, "' ", st.message(),
                     " (required with --smtp-url)"));
  }
  if (c.smtp_user.empty() != c.smtp_password_file.empty()) {
    return absl::InvalidArgumentError(
        "--smtp-user and --smtp-password-file must be given together");
  }
  const std::string http_like =
      absl::StrCat("http://", c.smtp_url.substr(c.smtp_url.find("://") + 3));
  if (!smtps && !c.smtp_starttls && !c.smtp_allow_plain && !IsLoopbackHost(UrlHost(http_like))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "refusing plain SMTP to non-loopback ", c.smtp_url,
        ": use smtps://, --smtp-starttls, or pass --smtp-allow-plain"));
  }
  return absl::OkStatus();
}

}  // namespace riskcap::server
