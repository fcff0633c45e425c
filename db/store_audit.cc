// Store methods that support the audit: shared transactions, failed authentication counted per
// peer and minute, the audit log's size, and the page-token key (tables of migration 0011).
#include <string>
#include <vector>

#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/internal/audit_rows.h"
#include "db/internal/database.h"
#include "db/internal/row_reader.h"
#include "db/store.h"

namespace riskcap::db {

AuditRecord ReadAuditContent(RowReader& r) {
  AuditRecord a;
  a.at = r.Time();
  a.principal = r.Str();
  a.method = r.Str();
  a.request_id = r.Str();
  a.outcome = r.Str();
  a.detail = r.Str();
  return a;
}

namespace {

// Printable ASCII, at most `max` bytes: anything else becomes '?', so the value is valid text on
// both backends whatever a peer sent.
std::string Bounded(const std::string& value, size_t max) {
  std::string out = value.substr(0, max);
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

// 256 bits from OpenSSL's random source, as 64 hex digits.
absl::StatusOr<std::string> NewSecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError("OpenSSL could not generate a random key");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

long long MinuteStartMicros(absl::Time at) {
  return absl::ToUnixMicros(absl::UniversalEpoch() +
                            absl::Floor(at - absl::UniversalEpoch(), absl::Minutes(1)));
}

}  // namespace

absl::Status Store::InTransaction(const std::function<absl::Status()>& fn) {
  return db_->WriteTogether([&](soci::session&) { return fn(); });
}

absl::Status Store::RecordAuthFailure(const AuthFailure& failure) {
  if (failure.method.empty() || failure.method.size() > kMaxAuditMethod) {
    return absl::InvalidArgumentError("auth failure needs a method of at most 128 bytes");
  }
  std::string peer = Bounded(failure.peer.empty() ? "unknown" : failure.peer, kMaxAuthFailurePeer);
  std::string reason = Bounded(failure.last_reason, kMaxAuthFailureReason);
  long long minute = MinuteStartMicros(failure.last_at);
  long long at = absl::ToUnixMicros(failure.last_at);
  long long count = failure.failures > 0 ? failure.failures : 1;
  return db_->Write([&](soci::session& s) -> absl::Status {
    s << "INSERT INTO auth_failures (peer, minute_us, method, failures, last_reason, last_at_us)"
         " VALUES (:p, :m, :meth, :n, :r, :at)"
         " ON CONFLICT (peer, minute_us, method) DO UPDATE SET"
         " failures = auth_failures.failures + excluded.failures,"
         " last_reason = excluded.last_reason, last_at_us = excluded.last_at_us",
        soci::use(peer), soci::use(minute), soci::use(failure.method), soci::use(count),
        soci::use(reason), soci::use(at);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<AuthFailure>> Store::ListAuthFailures(absl::Time since, int limit) {
  if (limit <= 0) return absl::InvalidArgumentError("limit must be > 0");
  long long since_us = absl::ToUnixMicros(since);
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<AuthFailure>> {
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT peer, minute_us, method, failures, last_reason, last_at_us"
                      " FROM auth_failures WHERE minute_us >= :since"
                      " ORDER BY minute_us, peer, method LIMIT :lim",
         soci::use(since_us), soci::use(limit));
    std::vector<AuthFailure> out;
    for (const soci::row& row : rows) {
      RowReader r(row);
      AuthFailure f;
      f.peer = r.Str();
      f.minute = r.Time();
      f.method = r.Str();
      f.failures = r.Int();
      f.last_reason = r.Str();
      f.last_at = r.Time();
      out.push_back(std::move(f));
    }
    return out;
  });
}

absl::StatusOr<Store::AuditLogSize> Store::MeasureAuditLog() {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<AuditLogSize> {
    long long rows = 0;
    long long bytes = 0;
    soci::indicator has_bytes = soci::i_null;
    s << "SELECT COUNT(*), CAST(SUM(LENGTH(principal) + LENGTH(method) + LENGTH(request_id)"
         " + LENGTH(outcome) + LENGTH(detail)) AS BIGINT) FROM audit_log",
        soci::into(rows), soci::into(bytes, has_bytes);
    return AuditLogSize{rows, has_bytes == soci::i_ok ? bytes : 0};
  });
}

absl::StatusOr<std::string> Store::PageTokenKey() {
  std::lock_guard<std::mutex> lock(page_token_key_mu_);
  if (!page_token_key_.empty()) return page_token_key_;
  ASSIGN_OR_RETURN(std::string fresh, NewSecret());
  auto insert_or_read = [&](soci::session& s) -> absl::StatusOr<std::string> {
    // Servers sharing the store race here once; every one reads back the key that won.
    s << "INSERT INTO server_secrets (name, secret) VALUES ('page_token', :k)"
         " ON CONFLICT (name) DO NOTHING",
        soci::use(fresh);
    std::string secret;
    s << "SELECT secret FROM server_secrets WHERE name = 'page_token'", soci::into(secret);
    if (!s.got_data() || secret.size() < 32) {
      return absl::InternalError("the stored page-token key is missing or too short");
    }
    return secret;
  };
  ASSIGN_OR_RETURN(std::string key, db_->Write(insert_or_read));
  page_token_key_ = key;
  return key;
}

}  // namespace riskcap::db
