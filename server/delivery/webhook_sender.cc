// Webhook deliveries over libcurl.
#include "server/delivery/webhook_sender.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/contacts.h"

namespace riskcap::server {
namespace {

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

std::string WebhookSignature(const std::string& secret, const std::string& timestamp,
                             const std::string& body) {
  const std::string signed_bytes = absl::StrCat(timestamp, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_bytes.data()), signed_bytes.size(), mac,
       &mac_len);
  return absl::StrCat(
      "sha256=", absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(mac), mac_len)));
}

SendOutcome WebhookSender::Send(const Delivery& d, const std::string& secret,
                                absl::Time now) const {
  if (auto st = CheckWebhookUrl(d.address); !st.ok()) {
    return SendOutcome::Permanent(absl::StrCat("webhook URL ", st.message()));
  }
  if (secret.empty()) return SendOutcome::Permanent("the manager has no webhook secret");
  static const CURLcode global_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)global_init;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return SendOutcome::Temporary("curl_easy_init failed");
  CURL* h = curl.get();
  const std::string timestamp = absl::StrCat(absl::ToUnixSeconds(now));
  const std::string lines[] = {
      "Content-Type: application/json",
      absl::StrCat("X-Riskcap-Delivery: ", d.message_id),
      absl::StrCat("X-Riskcap-Timestamp: ", timestamp),
      absl::StrCat("X-Riskcap-Signature: ", WebhookSignature(secret, timestamp, d.body)),
  };
  curl_slist* raw = nullptr;
  for (const std::string& line : lines) raw = curl_slist_append(raw, line.c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(raw, curl_slist_free_all);
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, d.address.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(timeout_)));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, d.body.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(d.body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    return SendOutcome::Temporary(error[0] ? error : curl_easy_strerror(code));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return SendOutcome::Sent();
  const std::string what = absl::StrCat("HTTP ", status, " from the webhook receiver");
  if (status >= 500 || status == 408 || status == 429) return SendOutcome::Temporary(what);
  return SendOutcome::Permanent(what);
}

}  // namespace riskcap::server
