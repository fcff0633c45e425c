// Session pool, transactions and exception mapping for the SOCI store.
#include "db/database.h"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "db/wal_checkpointer.h"

namespace riskcap::db {
namespace {

absl::Status FromPostgres(const soci::postgresql_soci_error& e, std::string_view context) {
  std::string sqlstate = e.sqlstate();
  std::string msg = absl::StrCat(AbslView(context), ": ", e.get_error_message());
  if (sqlstate == "23505") return absl::AlreadyExistsError(msg);
  if (sqlstate == "23503") return absl::FailedPreconditionError(msg);
  if (absl::StartsWith(sqlstate, "23") || absl::StartsWith(sqlstate, "22")) {
    return absl::InvalidArgumentError(msg);
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
    return absl::AbortedError(msg);
  }
  if (absl::StartsWith(sqlstate, "08") || absl::StartsWith(sqlstate, "57")) {
    return absl::UnavailableError(msg);
  }
  return absl::InternalError(msg);
}

absl::Status FromSqlite(const soci::sqlite3_soci_error& e, std::string_view context) {
  std::string what = e.get_error_message();
  std::string msg = absl::StrCat(AbslView(context), ": ", what);
  int code = e.result() & 0xff;
  if (code == SQLITE_CONSTRAINT) {
    if (absl::StrContains(what, "UNIQUE") || absl::StrContains(what, "PRIMARY KEY")) {
      return absl::AlreadyExistsError(msg);
    }
    if (absl::StrContains(what, "FOREIGN KEY")) return absl::FailedPreconditionError(msg);
    return absl::InvalidArgumentError(msg);
  }
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return absl::AbortedError(msg);
  if (code == SQLITE_CANTOPEN || code == SQLITE_IOERR || code == SQLITE_FULL) {
    return absl::UnavailableError(msg);
  }
  return absl::InternalError(msg);
}

// SQLite's memory statistics take a process-wide mutex on every allocation, which dominated
// the profile under concurrent load (docs/benchmarks.md); riskcap never reads them. And a
// connection is only ever used by the one thread that leased its session from the pool (or
// that owns an unpooled session), so SQLite's per-connection mutexes (the default "serialized"
// mode) guard nothing: multi-thread mode drops them (about 5% of a bulk load's CPU). Must run
// before SQLite initialises, i.e. before the first connection opens; later calls are no-ops.
void ConfigureSqliteProcess() {
  static const bool done = [] {
    sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    return true;
  }();
  (void)done;
}

void PrepareSqlite(soci::session& s) {
  // First: switching to WAL needs the database lock, and without a busy timeout a connection
  // opened while another process holds it (e.g. migrating a new file) fails at once.
  s << "PRAGMA busy_timeout=30000";
  s << "PRAGMA journal_mode=WAL";
  s << "PRAGMA synchronous=FULL";  // durable commits: acknowledged data survives power loss
  s << "PRAGMA foreign_keys=ON";
}

// SOCI 4.0.3 mangles libpq URIs ("postgresql://..."); hand it the equivalent keyword=value
// string, parsed by libpq itself.
absl::StatusOr<std::string> PostgresConninfo(const std::string& uri) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &err);
  if (options == nullptr) {
    std::string msg = err != nullptr ? err : "unparseable";
    PQfreemem(err);
    return absl::InvalidArgumentError(absl::StrCat("bad PostgreSQL URL: ", msg));
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    std::string value;
    for (const char* c = o->val; *c != '\0'; ++c) {
      if (*c == '\\' || *c == '\'') value.push_back('\\');
      value.push_back(*c);
    }
    absl::StrAppend(&out, out.empty() ? "" : " ", o->keyword, "='", value, "'");
  }
  PQconninfoFree(options);
  return out;
}

void PreparePostgres(soci::session& s) {
  s << "SET TIME ZONE 'UTC'";
  s << "SET DateStyle = 'ISO, YMD'";
  s << "SET client_min_messages = WARNING";
}

std::unique_ptr<soci::session> OpenSession(const StoreUrl& url, const std::string& conninfo) {
  auto s = std::make_unique<soci::session>();
  if (url.backend == Backend::kSqlite) {
    s->open(soci::sqlite3, absl::StrCat("db=", url.target));
    PrepareSqlite(*s);
  } else {
    s->open(soci::postgresql, conninfo);
    PreparePostgres(*s);
  }
  return s;
}

}  // namespace

absl::Status StatusFromException(const std::exception& e, std::string_view context) {
  if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) return FromPostgres(*pg, context);
  if (auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) return FromSqlite(*lite, context);
  if (auto* soci_err = dynamic_cast<const soci::soci_error*>(&e)) {
    if (soci_err->get_error_category() == soci::soci_error::connection_error) {
      return absl::UnavailableError(absl::StrCat(AbslView(context), ": ", soci_err->get_error_message()));
    }
    return absl::InternalError(absl::StrCat(AbslView(context), ": ", soci_err->get_error_message()));
  }
  return absl::InternalError(absl::StrCat(AbslView(context), ": ", e.what()));
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const StoreUrl& url, int pool_size) {
  std::unique_ptr<Database> db(new Database(url));
  if (url.in_memory() || pool_size < 1) pool_size = 1;
  if (url.backend == Backend::kSqlite) ConfigureSqliteProcess();
  std::string conninfo;
  if (url.backend == Backend::kPostgresql) {
    auto parsed = PostgresConninfo(url.target);
    if (!parsed.ok()) return parsed.status();
    conninfo = *parsed;
  }
  if (url.backend == Backend::kSqlite && !url.in_memory()) {
    // First, so every pooled session is hooked to it before its first commit.
    ASSIGN_OR_RETURN(std::unique_ptr<soci::session> own, db->NewSession(conninfo));
    db->checkpointer_ = std::make_unique<WalCheckpointer>(std::move(own));
  }
  for (int i = 0; i < pool_size; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<soci::session> session, db->NewSession(conninfo));
    db->sessions_.push_back(std::move(session));
    db->free_.push_back(static_cast<size_t>(i));
  }
  return db;
}

Database::Database(StoreUrl url) : url_(std::move(url)) {}

Database::~Database() {
  checkpointer_.reset();  // joins its thread while every session is still open
}

absl::StatusOr<std::unique_ptr<soci::session>> Database::NewSession(const std::string& conninfo) {
  try {
    std::unique_ptr<soci::session> session = OpenSession(url_, conninfo);
    if (checkpointer_ != nullptr) checkpointer_->Attach(*session);
    return session;
  } catch (const std::exception& e) {
    return StatusFromException(e, absl::StrCat("opening store ", url_.redacted));
  }
}

absl::StatusOr<std::unique_ptr<soci::session>> Database::OpenDedicatedSession() {
  std::string conninfo;
  if (url_.backend == Backend::kPostgresql) {
    auto parsed = PostgresConninfo(url_.target);
    if (!parsed.ok()) return parsed.status();
    conninfo = *parsed;
  }
  return NewSession(conninfo);
}

int64_t Database::wal_checkpoints_completed() const {
  return checkpointer_ != nullptr ? checkpointer_->checkpoints_completed() : 0;
}

void Database::PauseWalCheckpointsForTest(bool paused) {
  if (checkpointer_ != nullptr) checkpointer_->PauseForTest(paused);
}

Database::Lease::~Lease() {
  if (db_ != nullptr) db_->Release(index_);
}

absl::StatusOr<Database::Lease> Database::Acquire(absl::Duration timeout) {
  std::unique_lock lock(mu_);
  if (!freed_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] { return !free_.empty(); })) {
    return absl::UnavailableError(absl::StrCat("no free database session after ",
                                               absl::FormatDuration(timeout)));
  }
  size_t index = free_.back();
  free_.pop_back();
  return Lease(this, index);
}

void Database::Release(size_t index) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(index);
  }
  freed_.notify_one();
}

Database::JoinScope::JoinScope(Database* db, Joined* joined) : db_(db) {
  std::lock_guard lock(db_->mu_);
  db_->joined_[std::this_thread::get_id()] = joined;
  db_->joined_count_.fetch_add(1);
}

Database::JoinScope::~JoinScope() {
  std::lock_guard lock(db_->mu_);
  db_->joined_.erase(std::this_thread::get_id());
  db_->joined_count_.fetch_sub(1);
}

Database::Joined* Database::JoinedHere() {
  // Only this thread registers itself, so a zero here cannot hide its own transaction.
  if (joined_count_.load() == 0) return nullptr;
  std::lock_guard lock(mu_);
  auto it = joined_.find(std::this_thread::get_id());
  return it == joined_.end() ? nullptr : it->second;
}

void Database::AfterTransaction(std::function<void()> fn) {
  if (Joined* joined = JoinedHere()) {
    joined->after.push_back(std::move(fn));
  } else {
    fn();
  }
}

absl::Status Database::Begin(soci::session& s, bool write) {
  try {
    if (backend() == Backend::kSqlite) {
      s.once << (write ? "BEGIN IMMEDIATE" : "BEGIN");
    } else {
      s.once << (write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    }
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return StatusFromException(e, "begin transaction");
  }
}

void Database::Rollback(soci::session& s) {
  try {
    s.once << "ROLLBACK";
  } catch (const std::exception&) {
    // The transaction is already gone (e.g. the connection dropped); nothing left to undo.
  }
}

absl::Status Database::ExecScript(soci::session& s, std::string_view sql) {
  std::string text(sql);
  if (backend() == Backend::kSqlite) {
    auto* be = static_cast<soci::sqlite3_session_backend*>(s.get_backend());
    char* err = nullptr;
    if (sqlite_api::sqlite3_exec(be->conn_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : "unknown error";
      sqlite_api::sqlite3_free(err);
      return absl::InternalError(absl::StrCat("SQL script failed: ", msg));
    }
    return absl::OkStatus();
  }
  auto* be = static_cast<soci::postgresql_session_backend*>(s.get_backend());
  PGresult* res = PQexec(be->conn_, text.c_str());
  ExecStatusType st = PQresultStatus(res);
  std::string msg = PQresultErrorMessage(res);
  PQclear(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    return absl::InternalError(absl::StrCat("SQL script failed: ", msg));
  }
  return absl::OkStatus();
}

}  // namespace riskcap::db
