// API-key authentication and role checks.
#include "server/rpc/auth.h"

#include <openssl/rand.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/logger.h"
#include "core/status_macros.h"
#include "db/sha256.h"

namespace riskcap::server {
namespace {

constexpr char kBearer[] = "Bearer ";

absl::Status Unauthenticated(const char* why) {
  return absl::UnauthenticatedError(
      absl::StrCat(why, "; send \"authorization: Bearer <api key>\" metadata"));
}

}  // namespace

Authenticator::Authenticator(db::Store& store)
    : store_(store),
      failures_(std::make_unique<AuthFailureCounter>(store, kAuthFailureFlushInterval)) {}

Authenticator::~Authenticator() = default;

absl::Status Authenticator::FlushFailures() const { return failures_->Flush(); }

std::string Principal::Name() const { return absl::StrCat("key:", key_id); }

std::string NewApiKeySecret() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  unsigned char bytes[40];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string secret = "rk_";
  for (unsigned char b : bytes) secret.push_back(kAlphabet[b & 31]);
  return secret;
}

std::string HashApiKeySecret(const std::string& secret) { return db::Sha256Hex(secret); }

absl::StatusOr<Principal> Authenticator::Authenticate(const grpc::ServerContextBase& context) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return Unauthenticated("missing API key");
  std::string value(it->second.data(), it->second.size());
  if (!absl::StartsWith(value, kBearer) || value.size() == sizeof(kBearer) - 1) {
    return Unauthenticated("malformed authorization metadata");
  }
  auto key = store_.FindApiKeyByHashCached(HashApiKeySecret(value.substr(sizeof(kBearer) - 1)));
  if (absl::IsNotFound(key.status())) return Unauthenticated("unknown API key");
  if (!key.ok()) return key.status();
  if (key->revoked_at.has_value()) return Unauthenticated("revoked API key");
  return Principal{key->id, key->role, key->manager_id, key->label};
}

std::string PeerAddress(std::string_view peer) {
  size_t colon = peer.rfind(':');
  // "unix:/path" has no port; an IPv6 address's own colons sit inside brackets.
  if (colon == std::string_view::npos || colon + 1 == peer.size() ||
      peer.find(':') == colon || peer[colon - 1] == ':') {
    return std::string(peer);
  }
  std::string_view port = peer.substr(colon + 1);
  for (char c : port) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::string(peer);
  }
  return std::string(peer.substr(0, colon));
}

void Authenticator::RecordFailure(const grpc::ServerContextBase& context, std::string_view method,
                                  const absl::Status& failure, absl::Time now) const {
  AuthFailure row;
  row.peer = PeerAddress(context.peer());
  row.method = std::string(method);
  // The reason without the advice that follows it ("unknown API key; send ...").
  std::string_view message = StdView(failure.message());
  row.last_reason = std::string(message.substr(0, message.find(';')));
  row.last_at = now;
  failures_->Count(row);
  if (int64_t held = 0; failure_log_.Allow(absl::Now(), held)) {
    Log(LogLevel::kWarning, "authentication failed",
        {{"peer", row.peer},
         {"method", method},
         {"reason", row.last_reason},
         {"not_logged_since_last", held}});
  }
}

absl::Status RequireRole(const Principal& principal, std::initializer_list<Role> allowed) {
  if (principal.role == Role::kAdmin) return absl::OkStatus();
  for (Role role : allowed) {
    if (principal.role == role) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("role ", AbslView(EnumName(principal.role)),
                                                  " may not call this method"));
}

absl::StatusOr<Fund> GetAccessibleFund(db::Store& store, const Principal& principal,
                                       int64_t fund_id, FundRead read) {
  auto fund = read == FundRead::kCached ? store.GetFundCached(fund_id) : store.GetFund(fund_id);
  if (principal.role == Role::kManager) {
    if ((fund.ok() && fund->manager_id != principal.manager_id) || absl::IsNotFound(fund.status())) {
      return absl::PermissionDeniedError(
          absl::StrCat("fund ", fund_id, " is not accessible with this key"));
    }
  }
  return fund;
}

}  // namespace riskcap::server
