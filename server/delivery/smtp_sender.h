// E-mail over SMTP through libcurl: one message to one recipient per call.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/delivery.h"
#include "server/delivery/delivery_config.h"
#include "server/delivery/send_outcome.h"

namespace riskcap::server {

class SmtpSender {
 public:
  // Reads the password file now, so a bad one is a start-up error. `timeout` bounds one send.
  static absl::StatusOr<SmtpSender> Create(const DeliveryConfig& config, absl::Duration timeout);

  // Sends `d` (subject, body, Message-ID) to d.address. A 4xx reply or a connection error is
  // Temporary, a 5xx reply Permanent; the error holds the server's last reply line.
  SendOutcome Send(const Delivery& d, absl::Time now) const;

  // The message as sent: headers (From, To, Subject, Date, Message-ID, ...), a blank line and
  // the body, with CRLF line ends.
  std::string Message(const Delivery& d, absl::Time now) const;

 private:
  SmtpSender(DeliveryConfig config, std::string password, absl::Duration timeout)
      : config_(std::move(config)), password_(std::move(password)), timeout_(timeout) {}
  DeliveryConfig config_;
  std::string password_;
  absl::Duration timeout_;
};

}  // namespace riskcap::server
