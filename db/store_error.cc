// The one place where database exceptions become absl::Status, and the payload that keeps the
// driver's text out of what clients see.
#include "db/store_error.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "db/internal/database.h"

namespace riskcap::db {
namespace {

constexpr char kDetailUrl[] = "type.riskcap/store-error-detail";

// Errors the schema itself raises (constraints, checks, the migrations' triggers) describe the
// caller's data, so their text stays in the message; everything else is the driver's business.
absl::Status FromPostgres(const soci::postgresql_soci_error& e, std::string_view context) {
  const std::string sqlstate = e.sqlstate();
  const std::string msg = absl::StrCat(AbslView(context), ": ", e.get_error_message());
  const std::string detail = absl::StrCat(msg, " (SQLSTATE ", sqlstate, ")");
  if (sqlstate == "23505") return absl::AlreadyExistsError(msg);
  if (sqlstate == "23503") return absl::FailedPreconditionError(msg);
  if (absl::StartsWith(sqlstate, "23") || absl::StartsWith(sqlstate, "22")) {
    return absl::InvalidArgumentError(msg);
  }
  if (sqlstate == "P0001") return absl::InternalError(msg);  // RAISE EXCEPTION in a trigger
  if (sqlstate == "40001" || sqlstate == "40P01") {
    return StoreError(absl::StatusCode::kAborted, kStoreConflict, detail);
  }
  if (sqlstate == "55P03") return StoreError(absl::StatusCode::kUnavailable, kStoreBusy, detail);
  if (sqlstate == "57014") {  // query_canceled: riskcap cancels only through statement_timeout
    return StoreError(absl::StatusCode::kUnavailable, kStoreStatementTimeout, detail);
  }
  if (sqlstate == "53100") {
    return StoreError(absl::StatusCode::kResourceExhausted, kStoreFull, detail);
  }
  // Connection exceptions (08), the server shutting down or starting (57), out of resources
  // (53), and libpq's own failures, which carry no SQLSTATE (the connection broke).
  if (sqlstate.empty() || absl::StartsWith(sqlstate, "08") || absl::StartsWith(sqlstate, "57") ||
      absl::StartsWith(sqlstate, "53")) {
    return StoreError(absl::StatusCode::kUnavailable, kStoreUnavailable, detail);
  }
  return StoreError(absl::StatusCode::kInternal, kStoreInternal, detail);
}

absl::Status FromSqlite(const soci::sqlite3_soci_error& e, std::string_view context) {
  const std::string what = e.get_error_message();
  const std::string msg = absl::StrCat(AbslView(context), ": ", what);
  const std::string detail = absl::StrCat(msg, " (SQLite result ", e.result(), ")");
  switch (e.result() & 0xff) {
    case SQLITE_CONSTRAINT:
      if (absl::StrContains(what, "UNIQUE") || absl::StrContains(what, "PRIMARY KEY")) {
        return absl::AlreadyExistsError(msg);
      }
      if (absl::StrContains(what, "FOREIGN KEY")) return absl::FailedPreconditionError(msg);
      return absl::InvalidArgumentError(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreError(absl::StatusCode::kUnavailable, kStoreBusy, detail);
    case SQLITE_FULL:
      return StoreError(absl::StatusCode::kResourceExhausted, kStoreFull, detail);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      return StoreError(absl::StatusCode::kUnavailable, kStoreUnavailable, detail);
    default:
      return StoreError(absl::StatusCode::kInternal, kStoreInternal, detail);
  }
}

}  // namespace

absl::Status StoreError(absl::StatusCode code, std::string_view message, std::string_view detail) {
  absl::Status status(code, AbslView(message));
  status.SetPayload(kDetailUrl, absl::Cord(AbslView(detail)));
  return status;
}

std::optional<std::string> StoreErrorDetail(const absl::Status& status) {
  auto detail = status.GetPayload(kDetailUrl);  // absl::optional, not std::optional
  if (!detail.has_value()) return std::nullopt;
  return std::string(*detail);
}

absl::Status StatusFromException(const std::exception& e, std::string_view context) {
  if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    return FromPostgres(*pg, context);
  }
  if (auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    return FromSqlite(*lite, context);
  }
  const std::string detail = absl::StrCat(AbslView(context), ": ", e.what());
  auto* soci_err = dynamic_cast<const soci::soci_error*>(&e);
  if (soci_err != nullptr &&
      soci_err->get_error_category() == soci::soci_error::connection_error) {
    return StoreError(absl::StatusCode::kUnavailable, kStoreUnavailable, detail);
  }
  return StoreError(absl::StatusCode::kInternal, kStoreInternal, detail);
}

}  // namespace riskcap::db
