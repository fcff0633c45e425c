// What one attempt to deliver a message came to, as the delivery worker needs it: sent, failed
// for now (retry later), or refused for good.
#pragma once

#include <string>

namespace riskcap::server {

struct SendOutcome {
  enum class Kind { kSent, kTemporary, kPermanent };
  Kind kind = Kind::kSent;
  std::string error;  // the server's reply or the connection error; empty when sent

  static SendOutcome Sent() { return {}; }
  static SendOutcome Temporary(std::string e) { return {Kind::kTemporary, std::move(e)}; }
  static SendOutcome Permanent(std::string e) { return {Kind::kPermanent, std::move(e)}; }
};

}  // namespace riskcap::server
