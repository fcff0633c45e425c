// E-mail over SMTP through libcurl.
#include "server/delivery/smtp_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace riskcap::server {
namespace {

struct Upload {
  std::string data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* arg) {
  Upload& u = *static_cast<Upload*>(arg);
  const size_t n = std::min(size * count, u.data.size() - u.offset);
  std::memcpy(buffer, u.data.data() + u.offset, n);
  u.offset += n;
  return n;
}

// Keeps the server's last refusal (a 4xx or 5xx reply line; libcurl passes SMTP replies as
// incoming "headers"), not the "221 Bye" that follows it.
int KeepReply(CURL*, curl_infotype type, char* data, size_t size, void* arg) {
  if (type != CURLINFO_HEADER_IN) return 0;
  std::string line(data, size);
  absl::StripTrailingAsciiWhitespace(&line);
  if (!line.empty() && (line[0] == '4' || line[0] == '5')) *static_cast<std::string*>(arg) = line;
  return 0;
}

std::string Crlf(const std::string& text) {
  std::string lf = absl::StrReplaceAll(text, {{"\r\n", "\n"}});
  return absl::StrReplaceAll(lf, {{"\n", "\r\n"}});
}

}  // namespace

absl::StatusOr<SmtpSender> SmtpSender::Create(const DeliveryConfig& config,
                                              absl::Duration timeout) {
  static const CURLcode global_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)global_init;
  std::string password;
  if (!config.smtp_password_file.empty()) {
    std::ifstream in(config.smtp_password_file);
    if (!in) {
      return absl::InvalidArgumentError(absl::StrCat("cannot read --smtp-password-file '",
                                                     config.smtp_password_file, "'"));
    }
    std::stringstream text;
    text << in.rdbuf();
    password = std::string(absl::StripTrailingAsciiWhitespace(text.str()));
  }
  return SmtpSender(config, std::move(password), timeout);
}

std::string SmtpSender::Message(const Delivery& d, absl::Time now) const {
  std::string head = absl::StrCat(
      "Date: ", absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", now, absl::UTCTimeZone()), "\n",
      "From: ", config_.smtp_from, "\n", "To: ", d.address, "\n", "Subject: ", d.subject, "\n",
      "Message-ID: ", d.message_id, "\n", "Auto-Submitted: auto-generated\n",
      "MIME-Version: 1.0\n", "Content-Type: text/plain; charset=utf-8\n",
      "Content-Transfer-Encoding: 8bit\n\n");
  return Crlf(head + d.body);
}

SendOutcome SmtpSender::Send(const Delivery& d, absl::Time now) const {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return SendOutcome::Temporary("curl_easy_init failed");
  CURL* h = curl.get();
  const std::string from = absl::StrCat("<", config_.smtp_from, ">");
  const std::string to = absl::StrCat("<", d.address, ">");
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> rcpt(curl_slist_append(nullptr, to.c_str()),
                                                          curl_slist_free_all);
  Upload upload{Message(d, now)};
  std::string reply;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, config_.smtp_url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(timeout_)));
  if (config_.smtp_starttls) {
    curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  }
  if (!config_.smtp_user.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, config_.smtp_user.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, password_.c_str());
  }
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload.data.size()));
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // only so that KeepReply sees the replies
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, &KeepReply);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, &reply);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  const CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OK) return SendOutcome::Sent();
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  const std::string what = absl::StrCat(reply.empty() ? "no reply" : reply, " (",
                                        error[0] ? error : curl_easy_strerror(code), ")");
  if (status >= 500 && status < 600) return SendOutcome::Permanent(what);
  return SendOutcome::Temporary(what);
}

}  // namespace riskcap::server
