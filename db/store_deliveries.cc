// Store methods for managers' contacts and the delivery outbox (migration 0014).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/contacts.h"
#include "core/status_macros.h"
#include "core/utf8.h"
#include "db/internal/database.h"
#include "db/internal/row_reader.h"
#include "db/internal/select_rows.h"
#include "db/store.h"

namespace riskcap::db {
namespace {

constexpr char kDeliveryColumns[] =
    "id, source, source_id, manager_id, channel, address, subject, body, message_id, state,"
    " attempts, last_error, created_at_us, next_attempt_at_us, last_attempt_at_us, sent_at_us";

Delivery ReadDelivery(const soci::row& row) {
  RowReader r(row);
  Delivery d;
  d.id = r.Int();
  d.source = r.Enum<DeliverySource>();
  d.source_id = r.Int();
  d.manager_id = r.Int();
  d.channel = r.Enum<DeliveryChannel>();
  d.address = r.Str();
  d.subject = r.Str();
  d.body = r.Str();
  d.message_id = r.Str();
  d.state = r.Enum<DeliveryState>();
  d.attempts = static_cast<int>(r.Int());
  d.last_error = r.Str();
  d.created_at = r.Time();
  d.next_attempt_at = r.Time();
  d.last_attempt_at = r.OptTime();
  d.sent_at = r.OptTime();
  return d;
}

absl::Status CheckContacts(const ManagerContacts& c) {
  if (c.emails.size() > kMaxContactEmails) {
    return absl::InvalidArgumentError(absl::StrCat("a manager has at most ", kMaxContactEmails,
                                                   " contact e-mail addresses"));
  }
  for (const std::string& e : c.emails) {
    if (auto st = CheckEmailAddress(e); !st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("contact e-mail '", e, "' ", st.message()));
    }
  }
  if (c.webhook_url.empty()) return absl::OkStatus();
  if (auto st = CheckWebhookUrl(c.webhook_url); !st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("webhook URL ", st.message()));
  }
  if (c.webhook_secret.size() < kMinWebhookSecretBytes ||
      c.webhook_secret.size() > kMaxWebhookSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a webhook secret must be ",
                                                   kMinWebhookSecretBytes, " to ",
                                                   kMaxWebhookSecretBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status CheckNewDelivery(const Delivery& d) {
  if (d.address.empty()) return absl::InvalidArgumentError("delivery address must not be empty");
  if (d.message_id.empty()) {
    return absl::InvalidArgumentError("delivery message_id must not be empty");
  }
  return absl::OkStatus();
}

// Inserts one delivery unless its (source, source_id, channel, address) is queued; true if it was.
bool InsertDelivery(soci::session& s, const Delivery& d) {
  std::string source(EnumName(d.source)), channel(EnumName(d.channel));
  std::string state(EnumName(d.state));
  std::string address = d.address, subject = d.subject, body = d.body, mid = d.message_id;
  std::string error = d.last_error;
  long long source_id = d.source_id, manager_id = d.manager_id;
  long long created = absl::ToUnixMicros(d.created_at);
  long long next = absl::ToUnixMicros(d.next_attempt_at);
  int attempts = d.attempts;
  soci::statement st =
      (s.prepare << "INSERT INTO deliveries (source, source_id, manager_id, channel, address,"
                    " subject, body, message_id, state, attempts, last_error, created_at_us,"
                    " next_attempt_at_us) VALUES (:s, :si, :m, :c, :a, :sub, :b, :mid, :st,"
                    " :n, :e, :cr, :nx) ON CONFLICT (source, source_id, channel, address)"
                    " DO NOTHING",
       soci::use(source), soci::use(source_id), soci::use(manager_id), soci::use(channel),
       soci::use(address), soci::use(subject), soci::use(body), soci::use(mid),
       soci::use(state), soci::use(attempts), soci::use(error), soci::use(created),
       soci::use(next));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

// Ids of up to `limit` claimable deliveries, oldest first; locked on PostgreSQL.
std::vector<long long> ClaimableIds(soci::session& s, bool postgres, long long now, int limit,
                                    std::optional<DeliveryChannel> only) {
  std::string channel = only ? std::string(EnumName(*only)) : std::string();
  std::string sql = absl::StrCat(
      "SELECT id FROM deliveries WHERE state = 'PENDING' AND next_attempt_at_us <= :now"
      " AND (claim_until_us IS NULL OR claim_until_us < :now2) AND (:c = '' OR channel = :c2)"
      " ORDER BY id LIMIT :lim", postgres ? " FOR UPDATE SKIP LOCKED" : "");
  long long now2 = now;
  std::string channel2 = channel;
  soci::rowset<soci::row> rows = (s.prepare << sql, soci::use(now), soci::use(now2),
                                  soci::use(channel), soci::use(channel2), soci::use(limit));
  std::vector<long long> ids;
  for (const soci::row& row : rows) ids.push_back(RowReader(row).Int());
  return ids;
}

absl::StatusOr<Delivery> DeliveryById(soci::session& s, long long id) {
  return SelectOne(s, absl::StrCat("SELECT ", kDeliveryColumns, " FROM deliveries WHERE id = :id"),
                   id, ReadDelivery, absl::StrCat("delivery ", id));
}

}  // namespace

absl::Status Store::SetManagerContacts(int64_t manager_id, const ManagerContacts& contacts) {
  RETURN_IF_ERROR(CheckContacts(contacts));
  return db_->Write([&](soci::session& s) -> absl::Status {
    long long id = manager_id;
    long long n = 0;
    s << "SELECT COUNT(*) FROM managers WHERE id = :id", soci::use(id), soci::into(n);
    if (n == 0) return absl::NotFoundError(absl::StrCat("manager ", id, " not found"));
    s << "DELETE FROM manager_emails WHERE manager_id = :id", soci::use(id);
    s << "DELETE FROM manager_webhooks WHERE manager_id = :id", soci::use(id);
    int position = 0;
    std::string address;
    for (const std::string& e : contacts.emails) {
      address = e;
      s << "INSERT INTO manager_emails (manager_id, position, address) VALUES (:m, :p, :a)",
          soci::use(id), soci::use(position), soci::use(address);
      ++position;
    }
    if (contacts.webhook_url.empty()) return absl::OkStatus();
    std::string url = contacts.webhook_url, secret = contacts.webhook_secret;
    s << "INSERT INTO manager_webhooks (manager_id, url, secret) VALUES (:m, :u, :s)",
        soci::use(id), soci::use(url), soci::use(secret);
    return absl::OkStatus();
  });
}

absl::StatusOr<ManagerContacts> Store::GetManagerContacts(int64_t manager_id) {
  ASSIGN_OR_RETURN(auto contacts, GetManagerContactsOf({manager_id}));
  return std::move(contacts[manager_id]);
}

absl::StatusOr<std::map<int64_t, ManagerContacts>> Store::GetManagerContactsOf(
    const std::vector<int64_t>& manager_ids) {
  std::map<int64_t, ManagerContacts> out;
  for (int64_t id : manager_ids) out[id];
  if (out.empty()) return out;
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::map<int64_t, ManagerContacts>> {
    // Integers only, written into the text: one statement whatever the page size (SOCI 4.0.3
    // re-sends the first batch when a statement with vector use() runs again on PostgreSQL).
    std::string ids;
    for (const auto& entry : out) absl::StrAppend(&ids, ids.empty() ? "" : ",", entry.first);
    soci::rowset<soci::row> emails =
        (s.prepare << absl::StrCat("SELECT manager_id, address FROM manager_emails WHERE"
                                   " manager_id IN (", ids, ") ORDER BY manager_id, position"));
    for (const soci::row& row : emails) {
      RowReader r(row);
      int64_t id = r.Int();
      out[id].emails.push_back(r.Str());
    }
    soci::rowset<soci::row> hooks =
        (s.prepare << absl::StrCat("SELECT manager_id, url, secret FROM manager_webhooks WHERE"
                                   " manager_id IN (", ids, ")"));
    for (const soci::row& row : hooks) {
      RowReader r(row);
      ManagerContacts& c = out[r.Int()];
      c.webhook_url = r.Str();
      c.webhook_secret = r.Str();
    }
    return out;
  });
}

absl::StatusOr<int> Store::EnqueueDeliveries(const std::vector<Delivery>& deliveries) {
  for (const Delivery& d : deliveries) RETURN_IF_ERROR(CheckNewDelivery(d));
  return db_->Write([&](soci::session& s) -> absl::StatusOr<int> {
    int inserted = 0;
    for (const Delivery& d : deliveries) inserted += InsertDelivery(s, d) ? 1 : 0;
    return inserted;
  });
}

absl::StatusOr<std::vector<Delivery>> Store::ClaimDeliveries(const std::string& owner,
                                                             absl::Time now,
                                                             absl::Duration lease, int limit,
                                                             std::optional<DeliveryChannel> only) {
  if (owner.empty()) return absl::InvalidArgumentError("delivery claim owner must not be empty");
  if (limit < 1) return absl::InvalidArgumentError("delivery claim limit must be at least 1");
  const bool postgres = backend() == Backend::kPostgresql;
  return db_->Write([&](soci::session& s) -> absl::StatusOr<std::vector<Delivery>> {
    long long now_us = absl::ToUnixMicros(now);
    long long until = absl::ToUnixMicros(now + lease);
    std::string who = owner;
    std::vector<Delivery> claimed;
    for (long long id : ClaimableIds(s, postgres, now_us, limit, only)) {
      s << "UPDATE deliveries SET claimed_by = :o, claim_until_us = :u WHERE id = :id",
          soci::use(who), soci::use(until), soci::use(id);
      ASSIGN_OR_RETURN(Delivery d, DeliveryById(s, id));
      claimed.push_back(std::move(d));
    }
    return claimed;
  });
}

absl::Status Store::FinishDeliveryAttempt(int64_t id, const std::string& owner,
                                          const DeliveryAttempt& attempt) {
  return db_->Write([&](soci::session& s) -> absl::Status {
    long long delivery_id = id;
    std::string who = owner, state(EnumName(attempt.state));
    // A peer's reply can hold any bytes; PostgreSQL's text refuses ill-formed UTF-8.
    std::string error(Utf8Prefix(ScrubUtf8(attempt.error), kMaxDeliveryErrorBytes));
    long long at = absl::ToUnixMicros(attempt.at);
    long long next = absl::ToUnixMicros(attempt.retry_at);
    Nullable<long long> sent = NullableMicros(attempt.state == DeliveryState::kSent
                                                  ? std::optional<absl::Time>(attempt.at)
                                                  : std::nullopt);
    soci::statement st =
        (s.prepare << "UPDATE deliveries SET state = :st, attempts = attempts + 1,"
                      " last_error = :e, last_attempt_at_us = :at, next_attempt_at_us = :nx,"
                      " sent_at_us = :sent, claimed_by = NULL, claim_until_us = NULL"
                      " WHERE id = :id AND claimed_by = :o AND state = 'PENDING'",
         soci::use(state), soci::use(error), soci::use(at), soci::use(next),
         soci::use(sent.value, sent.indicator), soci::use(delivery_id), soci::use(who));
    st.execute(true);
    if (st.get_affected_rows() > 0) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat("delivery ", id, " is no longer claimed by ", owner));
  });
}

absl::StatusOr<Delivery> Store::GetDelivery(int64_t id) {
  return db_->Read([&](soci::session& s) { return DeliveryById(s, id); });
}

absl::StatusOr<std::vector<Delivery>> Store::ListDeliveries(
    DeliverySource source, const std::vector<int64_t>& source_ids) {
  std::vector<Delivery> out;
  if (source_ids.empty()) return out;
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<Delivery>> {
    std::string kind(EnumName(source));
    std::string ids;
    for (int64_t id : source_ids) absl::StrAppend(&ids, ids.empty() ? "" : ",", id);
    soci::rowset<soci::row> rows =
        (s.prepare << absl::StrCat("SELECT ", kDeliveryColumns, " FROM deliveries WHERE"
                                   " source = :s AND source_id IN (", ids, ") ORDER BY id"),
         soci::use(kind));
    for (const soci::row& row : rows) out.push_back(ReadDelivery(row));
    return out;
  });
}

absl::StatusOr<Delivery> Store::RequeueDelivery(int64_t id, absl::Time now) {
  return db_->Write([&](soci::session& s) -> absl::StatusOr<Delivery> {
    long long delivery_id = id, now_us = absl::ToUnixMicros(now);
    soci::statement st =
        (s.prepare << "UPDATE deliveries SET state = 'PENDING', attempts = 0,"
                      " next_attempt_at_us = :now, claimed_by = NULL, claim_until_us = NULL"
                      " WHERE id = :id AND state = 'FAILED'",
         soci::use(now_us), soci::use(delivery_id));
    st.execute(true);
    ASSIGN_OR_RETURN(Delivery d, DeliveryById(s, delivery_id));
    if (st.get_affected_rows() == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "delivery ", id, " is ", AbslView(EnumName(d.state)),
          "; only a FAILED one can be retried"));
    }
    return d;
  });
}

absl::StatusOr<std::vector<std::pair<DeliveryState, int64_t>>> Store::CountDeliveriesByState() {
  return db_->Read(
      [&](soci::session& s) -> absl::StatusOr<std::vector<std::pair<DeliveryState, int64_t>>> {
        std::vector<std::pair<DeliveryState, int64_t>> counts;
        for (DeliveryState state :
             {DeliveryState::kPending, DeliveryState::kSent, DeliveryState::kFailed}) {
          std::string name(EnumName(state));
          long long n = 0;
          s << "SELECT COUNT(*) FROM deliveries WHERE state = :s", soci::use(name), soci::into(n);
          counts.emplace_back(state, n);
        }
        return counts;
      });
}

}  // namespace riskcap::db
