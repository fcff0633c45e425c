// libcurl GET with retries.
#include "server/sources/http_fetcher.h"

#include <curl/curl.h>

#include <memory>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/absl_compat.h"
#include "core/logger.h"

namespace riskcap::server::sources {
namespace {

struct Attempt {
  CURLcode code = CURLE_OK;
  long http_status = 0;
  std::string body;
  std::string error;
  int64_t max_body_bytes = 0;
  bool too_large = false;           // the body went past max_body_bytes: aborted
  int64_t announced_bytes = -1;     // Content-Length, when the response sent one
};

// Appends to the body, or aborts the transfer (returning less than given) past the limit.
size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  Attempt& attempt = *static_cast<Attempt*>(out);
  const size_t n = size * count;
  if (attempt.body.size() + n > static_cast<size_t>(attempt.max_body_bytes)) {
    attempt.too_large = true;
    return 0;
  }
  attempt.body.append(data, n);
  return n;
}

// Reads Content-Length as the headers arrive, and aborts at once when it is over the limit.
size_t ReadHeader(char* data, size_t size, size_t count, void* out) {
  Attempt& attempt = *static_cast<Attempt*>(out);
  const size_t n = size * count;
  const std::string_view line(data, n);
  constexpr std::string_view kLength = "content-length:";
  if (line.size() > kLength.size() &&
      absl::EqualsIgnoreCase(AbslView(line.substr(0, kLength.size())), AbslView(kLength))) {
    int64_t announced = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(AbslView(line.substr(kLength.size()))),
                         &announced)) {
      attempt.announced_bytes = announced;
      if (announced > attempt.max_body_bytes) {
        attempt.too_large = true;
        return 0;
      }
    }
  }
  return n;
}

Attempt FetchOnce(const std::string& url, const HttpOptions& options) {
  Attempt out;
  out.max_body_bytes = options.max_body_bytes;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    out.code = CURLE_FAILED_INIT;
    out.error = "curl_easy_init failed";
    return out;
  }
  char error[CURL_ERROR_SIZE] = {0};
  struct curl_slist* headers = nullptr;
  std::string auth;
  if (!options.bearer_token.empty()) {
    auth = absl::StrCat("Authorization: Bearer ", options.bearer_token);
    headers = curl_slist_append(headers, auth.c_str());
  }
  headers = curl_slist_append(headers, "Accept: application/json");
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options.timeout)));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options.timeout)));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options.insecure_skip_tls_verify ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options.insecure_skip_tls_verify ? 0L : 2L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  // A Content-Length over the limit aborts the transfer before its body is read (ReadHeader, and
  // libcurl's own check); AppendBody stops a body that sends more than it announced, or no size.
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &ReadHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &out);
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body_bytes));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  out.code = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.http_status);
  if (out.code == CURLE_FILESIZE_EXCEEDED) out.too_large = true;
  curl_slist_free_all(headers);
  out.error = error[0] != '\0' ? error : curl_easy_strerror(out.code);
  return out;
}

// Whether another attempt may succeed: transport failures and 5xx, not 4xx nor a body too large.
bool Retryable(const Attempt& a) {
  if (a.too_large) return false;
  if (a.code != CURLE_OK) return true;
  return a.http_status >= 500;
}

absl::Status FinalError(const std::string& url, const Attempt& a, int attempts) {
  const std::string where = absl::StrCat(url, " after ", attempts, " attempt(s)");
  if (a.too_large) {
    const std::string size = a.announced_bytes >= 0
                                 ? absl::StrCat("announces ", a.announced_bytes, " bytes")
                                 : "sends more bytes";
    return rows::LimitError(
        rows::kTooLarge, absl::StrCat("upstream response ", size, ", more than the limit of ",
                                      a.max_body_bytes,
                                      " bytes (RISKCAP_FEED_MAX_BYTES); aborted: ", where));
  }
  if (a.code == CURLE_OPERATION_TIMEDOUT) {
    return absl::DeadlineExceededError(absl::StrCat("upstream timed out: ", where));
  }
  if (a.code != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat("upstream unreachable (", a.error, "): ", where));
  }
  const std::string status = absl::StrCat("upstream answered HTTP ", a.http_status, ": ", where);
  if (a.http_status == 401 || a.http_status == 403) return absl::PermissionDeniedError(status);
  if (a.http_status >= 500) return absl::UnavailableError(status);
  return absl::FailedPreconditionError(status);
}

}  // namespace

absl::StatusOr<HttpResponse> HttpFetcher::Get(const std::string& url) const {
  static const CURLcode global_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)global_init;
  if (options_.insecure_skip_tls_verify) {
    Log(LogLevel::kWarning, "TLS VERIFICATION IS OFF for upstream fetches: anyone on the path can "
                            "impersonate the upstream (RISKCAP_SOURCE_INSECURE)",
        {{"url", url}});
  }
  absl::Duration backoff = options_.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    Attempt a = FetchOnce(url, options_);
    const bool ok = a.code == CURLE_OK && a.http_status >= 200 && a.http_status < 300;
    if (ok) return HttpResponse{std::move(a.body), attempt};
    if (!Retryable(a) || attempt > options_.retries) return FinalError(url, a, attempt);
    Log(LogLevel::kWarning, "upstream fetch failed; retrying",
        {{"url", url}, {"attempt", attempt}, {"error", a.code != CURLE_OK ? a.error
                                                        : absl::StrCat("HTTP ", a.http_status)},
         {"backoff_ms", absl::ToInt64Milliseconds(backoff)}});
    absl::SleepFor(backoff);
    backoff *= 2;
  }
}

}  // namespace riskcap::server::sources
