// The request log: runs a mutating call's change and records its request id in one transaction.
#include <string>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/internal/database.h"
#include "db/store.h"

namespace riskcap::db {
namespace {

absl::Status CheckRequestKey(const RequestKey& key) {
  if (key.method.empty() || key.scope.empty() || key.request_id.empty() ||
      key.content_hash.empty()) {
    return absl::InvalidArgumentError(
        "request key needs a method, scope, request_id and content_hash");
  }
  return absl::OkStatus();
}

// Inserts the key's row unless the key is taken; true when inserted. Runs first in the
// transaction so that on PostgreSQL a concurrent claim of the same key waits here, on the primary
// key, until this transaction ends (and then finds the row, or inserts it after a rollback).
bool ClaimKey(soci::session& s, const RequestKey& key) {
  long long now = absl::ToUnixMicros(absl::Now());
  long long claimed_at = 0;
  soci::indicator returned = soci::i_null;
  s << "INSERT INTO request_log (method, scope, request_id, content_hash, created_at_us)"
       " VALUES (:m, :s, :r, :h, :at)"
       " ON CONFLICT (method, scope, request_id) DO NOTHING RETURNING created_at_us",
      soci::use(key.method), soci::use(key.scope), soci::use(key.request_id),
      soci::use(key.content_hash), soci::use(now), soci::into(claimed_at, returned);
  return s.got_data() && returned == soci::i_ok;
}

void RecordResource(soci::session& s, const RequestKey& key, long long resource_id) {
  s << "UPDATE request_log SET resource_id = :id"
       " WHERE method = :m AND scope = :s AND request_id = :r",
      soci::use(resource_id), soci::use(key.method), soci::use(key.scope),
      soci::use(key.request_id);
}

// The answer for a key that was already taken: a replay when the content is the same.
absl::StatusOr<RequestOutcome> EarlierOutcome(soci::session& s, const RequestKey& key) {
  std::string hash;
  long long resource_id = 0;
  soci::indicator has_resource = soci::i_null;
  s << "SELECT content_hash, resource_id FROM request_log"
       " WHERE method = :m AND scope = :s AND request_id = :r",
      soci::use(key.method), soci::use(key.scope), soci::use(key.request_id), soci::into(hash),
      soci::into(resource_id, has_resource);
  if (!s.got_data()) {
    return absl::InternalError(absl::StrCat("request_id '", key.request_id, "' of ", key.method,
                                            " was claimed but its request_log row is gone"));
  }
  if (hash != key.content_hash) {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id '", key.request_id, "' was already used for a ", key.method,
                     " call with different content (it produced id ", resource_id, ")"));
  }
  return RequestOutcome{has_resource == soci::i_ok ? resource_id : 0, /*replayed=*/true};
}

}  // namespace

absl::StatusOr<RequestOutcome> RunIdempotent(
    Store& store, const RequestKey& key, const std::function<absl::StatusOr<int64_t>()>& apply,
    const std::function<absl::Status(const RequestOutcome&)>& before_commit) {
  RETURN_IF_ERROR(CheckRequestKey(key));
  return store.database().WriteTogether(
      [&](soci::session& s) -> absl::StatusOr<RequestOutcome> {
        RequestOutcome outcome;
        if (!ClaimKey(s, key)) {
          ASSIGN_OR_RETURN(outcome, EarlierOutcome(s, key));
        } else {
          ASSIGN_OR_RETURN(int64_t resource_id, apply());
          RecordResource(s, key, resource_id);
          outcome = RequestOutcome{resource_id, /*replayed=*/false};
        }
        if (before_commit) RETURN_IF_ERROR(before_commit(outcome));
        return outcome;
      });
}

}  // namespace riskcap::db
