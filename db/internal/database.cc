// Session pool, transactions and exception mapping for the SOCI store.
#include "db/internal/database.h"

#include <algorithm>

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "db/store_error.h"
#include "db/internal/wal_checkpointer.h"

namespace riskcap::db {
namespace {

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

int64_t Millis(absl::Duration d) { return absl::ToInt64Milliseconds(d); }

void PrepareSqlite(soci::session& s, const SessionTimeouts& timeouts) {
  // First: switching to WAL needs the database lock, and without a busy timeout a connection
  // opened while another process holds it (e.g. migrating a new file) fails at once.
  s << absl::StrCat("PRAGMA busy_timeout=", Millis(timeouts.lock));
  s << "PRAGMA journal_mode=WAL";
  s << "PRAGMA synchronous=FULL";  // durable commits: acknowledged data survives power loss
  s << "PRAGMA foreign_keys=ON";
}

// Connection settings riskcap needs unless the URL sets them: a connection attempt to an
// unreachable server gives up after 5 s (instead of the system's minutes of SYN retries), and a
// connection whose server vanished without closing it is found dead in about 25 s.
constexpr std::pair<const char*, const char*> kConnectionDefaults[] = {
    {"connect_timeout", "5"},
    {"keepalives_idle", "10"},
    {"keepalives_interval", "5"},
    {"keepalives_count", "3"},
};

// SOCI 4.0.3 mangles libpq URIs ("postgresql://..."); hand it the equivalent keyword=value
// string, parsed by libpq itself, with kConnectionDefaults added.
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
  for (const auto& [keyword, value] : kConnectionDefaults) {
    bool given = false;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
      given = given || (o->keyword == std::string_view(keyword) && o->val != nullptr);
    }
    if (!given) absl::StrAppend(&out, " ", keyword, "='", value, "'");
  }
  PQconninfoFree(options);
  return out;
}

void PreparePostgres(soci::session& s, const SessionTimeouts& timeouts) {
  s << "SET TIME ZONE 'UTC'";
  s << "SET DateStyle = 'ISO, YMD'";
  s << "SET client_min_messages = WARNING";
  s << absl::StrCat("SET statement_timeout = ", Millis(timeouts.statement));
  s << absl::StrCat("SET lock_timeout = ", Millis(timeouts.lock));
}

std::unique_ptr<soci::session> OpenSession(const StoreUrl& url, const std::string& conninfo,
                                           const SessionTimeouts& timeouts) {
  auto s = std::make_unique<soci::session>();
  if (url.backend == Backend::kSqlite) {
    s->open(soci::sqlite3, absl::StrCat("db=", url.target));
    PrepareSqlite(*s, timeouts);
  } else {
    s->open(soci::postgresql, conninfo);
    PreparePostgres(*s, timeouts);
  }
  return s;
}

constexpr absl::Duration kProbeTimeout = absl::Seconds(5);

}  // namespace

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const StoreUrl& url, int pool_size,
                                                         const SessionTimeouts& timeouts) {
  if (url.in_memory() || pool_size < 1) pool_size = 1;
  if (url.backend == Backend::kSqlite) ConfigureSqliteProcess();
  std::string conninfo;
  if (url.backend == Backend::kPostgresql) {
    ASSIGN_OR_RETURN(conninfo, PostgresConninfo(url.target));
  }
  std::unique_ptr<Database> db(new Database(url, std::move(conninfo), timeouts));
  if (url.backend == Backend::kSqlite && !url.in_memory()) {
    // First, so every pooled session is hooked to it before its first commit.
    ASSIGN_OR_RETURN(std::unique_ptr<soci::session> own, db->NewSession());
    db->checkpointer_ = std::make_unique<WalCheckpointer>(std::move(own));
  }
  for (int i = 0; i < pool_size; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<soci::session> session, db->NewSession());
    db->sessions_.push_back(std::move(session));
    db->free_.push_back(static_cast<size_t>(i));
  }
  return db;
}

Database::Database(StoreUrl url, std::string conninfo, const SessionTimeouts& timeouts)
    : url_(std::move(url)), conninfo_(std::move(conninfo)), timeouts_(timeouts) {}

Database::~Database() {
  checkpointer_.reset();  // joins its thread while every session is still open
}

absl::StatusOr<std::unique_ptr<soci::session>> Database::NewSession() {
  try {
    std::unique_ptr<soci::session> session = OpenSession(url_, conninfo_, timeouts_);
    if (checkpointer_ != nullptr) checkpointer_->Attach(*session);
    return session;
  } catch (const std::exception& e) {
    absl::Status failed = StatusFromException(e, absl::StrCat("opening store ", url_.redacted));
    // SOCI reports a refused or failed connection as a plain error: it means unreachable.
    if (absl::IsInternal(failed)) {
      return StoreError(absl::StatusCode::kUnavailable, kStoreUnavailable,
                        StoreErrorDetail(failed).value_or(std::string(failed.message())));
    }
    return failed;
  }
}

absl::StatusOr<std::unique_ptr<soci::session>> Database::OpenDedicatedSession() {
  return NewSession();
}

bool Database::Connected(soci::session& s) const {
  if (backend() != Backend::kPostgresql) return true;
  auto* be = static_cast<soci::postgresql_session_backend*>(s.get_backend());
  return be != nullptr && PQstatus(be->conn_) == CONNECTION_OK;
}

absl::Status Database::Probe() {
  std::lock_guard lock(probe_mu_);
  if (probe_ != nullptr && !Connected(*probe_)) probe_.reset();
  if (probe_ == nullptr) {
    ASSIGN_OR_RETURN(probe_, NewSession());
  }
  try {
    int one = 0;
    if (backend() == Backend::kPostgresql) {
      *probe_ << absl::StrCat("SET statement_timeout = ", Millis(kProbeTimeout));
      *probe_ << "SELECT 1", soci::into(one);
    } else {
      // Reads the file's first page, so a vanished or unreadable file shows.
      *probe_ << "SELECT count(*) >= 0 FROM sqlite_master", soci::into(one);
    }
  } catch (const std::exception& e) {
    probe_.reset();
    return StatusFromException(e, "probing the store");
  }
  RenewBrokenIdleSessions();
  return absl::OkStatus();
}

void Database::RenewBrokenIdleSessions() {
  if (backend() != Backend::kPostgresql) return;
  std::vector<size_t> idle;
  {
    std::lock_guard lock(mu_);
    idle = free_;
  }
  for (size_t index : idle) {
    std::optional<Lease> lease = TakeIfIdle(index);
    if (!lease.has_value()) continue;  // leased meanwhile: its user finds out itself
    auto* be = static_cast<soci::postgresql_session_backend*>((*lease)->get_backend());
    // Reads what arrived without blocking; a connection the server closed turns CONNECTION_BAD.
    PQconsumeInput(be->conn_);
    (void)RenewIfBroken(*lease);  // if it fails, the next lease tries again
  }
}

std::optional<Database::Lease> Database::TakeIfIdle(size_t index) {
  std::lock_guard lock(mu_);
  auto it = std::find(free_.begin(), free_.end(), index);
  if (it == free_.end()) return std::nullopt;
  free_.erase(it);
  return Lease(this, index);
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
  if (free_.empty()) lease_waits_.fetch_add(1, std::memory_order_relaxed);
  if (!freed_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] { return !free_.empty(); })) {
    lease_timeouts_.fetch_add(1, std::memory_order_relaxed);
    return absl::UnavailableError(absl::StrCat("no free database session after ",
                                               absl::FormatDuration(timeout)));
  }
  size_t index = free_.back();
  free_.pop_back();
  lock.unlock();
  Lease lease(this, index);
  RETURN_IF_ERROR(RenewIfBroken(lease));
  return lease;
}

absl::Status Database::RenewIfBroken(Lease& lease) {
  std::unique_ptr<soci::session>& slot = sessions_[lease.index_];
  if (Connected(*slot)) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<soci::session>> fresh = NewSession();
  if (!fresh.ok()) {
    reconnect_failures_.fetch_add(1, std::memory_order_relaxed);
    return fresh.status();
  }
  reconnects_.fetch_add(1, std::memory_order_relaxed);
  slot = std::move(*fresh);
  return absl::OkStatus();
}

StoreStats Database::Stats() const {
  StoreStats stats;
  stats.pool_size = pool_size();
  {
    std::lock_guard lock(mu_);
    stats.sessions_in_use = pool_size() - static_cast<int>(free_.size());
  }
  stats.lease_waits = lease_waits_.load(std::memory_order_relaxed);
  stats.lease_timeouts = lease_timeouts_.load(std::memory_order_relaxed);
  stats.reconnects = reconnects_.load(std::memory_order_relaxed);
  stats.reconnect_failures = reconnect_failures_.load(std::memory_order_relaxed);
  for (int i = 0; i < kStatusCodeCount; ++i) {
    stats.errors[i] = errors_[i].load(std::memory_order_relaxed);
  }
  return stats;
}

absl::Status Database::CountError(absl::Status failed) {
  const int code = static_cast<int>(failed.code());
  if (code > 0 && code < kStatusCodeCount) errors_[code].fetch_add(1, std::memory_order_relaxed);
  return failed;
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

absl::Status Database::BeginLive(Lease& lease, bool write) {
  absl::Status begun = Begin(*lease, write);
  if (begun.ok()) return begun;
  if (Connected(*lease)) return CountError(begun);
  RETURN_IF_ERROR(RenewIfBroken(lease));  // a failure counts as a reconnect failure
  return CountError(Begin(*lease, write));
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
