// Store methods for the registry: managers, funds, asset types, API keys and the audit log.
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/internal/audit_rows.h"
#include "db/internal/database.h"
#include "db/internal/lookup_cache.h"
#include "db/internal/row_reader.h"
#include "db/internal/row_writers.h"
#include "db/internal/select_rows.h"
#include "db/store.h"

namespace riskcap::db {
namespace {

constexpr char kManagerColumns[] = "id, name, tax_id";
constexpr char kFundColumns[] =
    "id, name, tax_id, manager_id, regulatory_class, target_audience, bylaws_margin_cap, "
    "base_currency, active";
constexpr char kApiKeyColumns[] =
    "id, label, role, manager_id, secret_hash, created_at_us, created_by, revoked_at_us";

// PostgreSQL identities do not notice explicitly given ids; without this, the next assigned
// manager id could collide with one a caller chose. Never moves the sequence backwards.
constexpr char kAdvanceManagerIdentity[] =
    "SELECT setval(pg_get_serial_sequence('managers', 'id'), GREATEST("
    "(SELECT MAX(id) FROM managers), COALESCE(pg_sequence_last_value("
    "pg_get_serial_sequence('managers', 'id')::regclass), 1)))";

// The database counts characters, not bytes: count UTF-8 lead bytes to agree with it.
absl::Status CheckName(const char* entity, const std::string& name) {
  size_t chars = 0;
  for (unsigned char c : name) chars += (c & 0xC0) != 0x80;
  if (chars < 1 || chars > 200) {
    return absl::InvalidArgumentError(
        absl::StrCat(entity, " name must be 1 to 200 characters, got ", chars));
  }
  return absl::OkStatus();
}

// The schema only says NOT NULL; an empty or formatted CNPJ would defeat the unique index.
absl::Status CheckTaxId(const char* entity, const std::string& tax_id) {
  bool digits = !tax_id.empty();
  for (char c : tax_id) digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
  if (!digits) {
    return absl::InvalidArgumentError(
        absl::StrCat(entity, " tax_id must be a non-empty string of digits (CNPJ without punctuation)"));
  }
  return absl::OkStatus();
}

absl::Status CheckFund(const Fund& fund) {
  if (fund.id <= 0) return absl::InvalidArgumentError("fund id must be positive");
  RETURN_IF_ERROR(CheckName("fund", fund.name));
  RETURN_IF_ERROR(CheckTaxId("fund", fund.tax_id));
  const std::string& cur = fund.base_currency;
  bool iso = cur.size() == 3;
  for (char c : cur) iso = iso && absl::ascii_isupper(static_cast<unsigned char>(c));
  if (!iso) {
    return absl::InvalidArgumentError(
        absl::StrCat("fund base_currency must be an ISO 4217 code like BRL, got '", cur, "'"));
  }
  return absl::OkStatus();
}

// Only the hash is ever stored: insisting on its shape keeps a plaintext secret out of the table.
absl::Status CheckApiKey(const ApiKey& key) {
  if (key.label.empty()) return absl::InvalidArgumentError("API key label must not be empty");
  bool hex = key.secret_hash.size() == 64;
  for (char c : key.secret_hash) hex = hex && absl::ascii_isxdigit(static_cast<unsigned char>(c));
  if (!hex) return absl::InvalidArgumentError("API key secret_hash must be 64 hex digits (SHA-256)");
  if ((key.role == Role::kManager) != key.manager_id.has_value()) {
    return absl::InvalidArgumentError(
        "API key manager_id is required for role MANAGER and must be absent for other roles");
  }
  return absl::OkStatus();
}

bool IdExists(soci::session& s, const char* table, long long id) {
  long long n = 0;
  s << absl::StrCat("SELECT COUNT(*) FROM ", table, " WHERE id = :id"), soci::use(id),
      soci::into(n);
  return n > 0;
}

// Gives the caller a message naming the manager instead of the backend's generic FK text.
absl::Status RequireManager(soci::session& s, long long manager_id, const std::string& owner) {
  if (IdExists(s, "managers", manager_id)) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("manager ", manager_id, " of ", owner, " does not exist"));
}

// Checked here so the messages neither echo the hash (PostgreSQL's unique-violation detail would)
// nor leave the caller guessing which reference failed.
absl::Status CheckApiKeyConflicts(soci::session& s, ApiKey& key) {
  if (key.manager_id) {
    RETURN_IF_ERROR(RequireManager(s, *key.manager_id, absl::StrCat("API key '", key.label, "'")));
  }
  long long n = 0;
  s << "SELECT COUNT(*) FROM api_keys WHERE secret_hash = :h", soci::use(key.secret_hash),
      soci::into(n);
  if (n > 0) return absl::AlreadyExistsError("an API key with the given secret hash already exists");
  return absl::OkStatus();
}

Manager ReadManager(const soci::row& row) {
  RowReader r(row);
  Manager m;
  m.id = r.Int();
  m.name = r.Str();
  m.tax_id = r.Str();
  return m;
}

Fund ReadFund(const soci::row& row) {
  RowReader r(row);
  Fund f;
  f.id = r.Int();
  f.name = r.Str();
  f.tax_id = r.Str();
  f.manager_id = r.Int();
  f.regulatory_class = r.Enum<RegulatoryClass>();
  f.target_audience = r.Enum<TargetAudience>();
  f.bylaws_margin_cap = r.OptDouble();
  f.base_currency = r.Str();
  f.active = r.Bool();
  return f;
}

ApiKey ReadApiKey(const soci::row& row) {
  RowReader r(row);
  ApiKey k;
  k.id = r.Int();
  k.label = r.Str();
  k.role = r.Enum<Role>();
  k.manager_id = r.OptInt();
  k.secret_hash = r.Str();
  k.created_at = r.Time();
  k.created_by = r.Str();
  k.revoked_at = r.OptTime();
  return k;
}

AuditRecord ReadAudit(const soci::row& row) {
  RowReader r(row);
  int64_t id = r.Int();
  AuditRecord a = ReadAuditContent(r);
  a.id = id;
  return a;
}

// One keyset page of `table` ordered by id.
template <typename T>
std::vector<T> SelectPage(soci::session& s, const char* columns, const char* table,
                          const Page& page, T (*read)(const soci::row&)) {
  long long after = page.after_id;
  int limit = page.limit;
  soci::rowset<soci::row> rows =
      (s.prepare << absl::StrCat("SELECT ", columns, " FROM ", table,
                                 " WHERE id > :after ORDER BY id LIMIT :limit"),
       soci::use(after), soci::use(limit));
  std::vector<T> out;
  for (const soci::row& row : rows) out.push_back(read(row));
  return out;
}

// A fund's columns as named locals, because SOCI must not bind temporaries.
struct FundBinds {
  explicit FundBinds(const Fund& f)
      : id(f.id), name(f.name), tax_id(f.tax_id), manager_id(f.manager_id),
        regulatory_class(EnumName(f.regulatory_class)), target_audience(EnumName(f.target_audience)),
        cap(f.bylaws_margin_cap), base_currency(f.base_currency), active(f.active ? 1 : 0),
        now(absl::ToUnixMicros(absl::Now())) {}
  long long id;
  std::string name, tax_id;
  long long manager_id;
  std::string regulatory_class, target_audience;
  Nullable<double> cap;
  std::string base_currency;
  int active;
  long long now;
};

}  // namespace

// ---- Managers ----

absl::StatusOr<Manager> Store::CreateManager(const Manager& manager) {
  if (manager.id < 0) return absl::InvalidArgumentError("manager id must not be negative");
  RETURN_IF_ERROR(CheckName("manager", manager.name));
  RETURN_IF_ERROR(CheckTaxId("manager", manager.tax_id));
  const bool postgres = backend() == Backend::kPostgresql;
  return db_->Write([&](soci::session& s) -> absl::StatusOr<Manager> {
    Manager created = manager;
    long long id = manager.id;
    long long now = absl::ToUnixMicros(absl::Now());
    if (manager.id == 0) {
      s << "INSERT INTO managers (name, tax_id, created_at_us) VALUES (:n, :t, :c) RETURNING id",
          soci::use(created.name), soci::use(created.tax_id), soci::use(now), soci::into(id);
    } else {
      s << "INSERT INTO managers (id, name, tax_id, created_at_us) VALUES (:i, :n, :t, :c)",
          soci::use(id), soci::use(created.name), soci::use(created.tax_id), soci::use(now);
      if (postgres) s << kAdvanceManagerIdentity;
    }
    created.id = id;
    return created;
  });
}

absl::Status Store::UpdateManager(const Manager& manager) {
  RETURN_IF_ERROR(CheckName("manager", manager.name));
  RETURN_IF_ERROR(CheckTaxId("manager", manager.tax_id));
  return db_->Write([&](soci::session& s) -> absl::Status {
    long long id = manager.id;
    std::string name = manager.name, tax_id = manager.tax_id;
    soci::statement st = (s.prepare << "UPDATE managers SET name = :n, tax_id = :t WHERE id = :i",
                          soci::use(name), soci::use(tax_id), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() == 0) {
      return absl::NotFoundError(absl::StrCat("manager ", id, " not found"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<Manager> Store::GetManager(int64_t id) {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<Manager> {
    return SelectOne<Manager>(s, absl::StrCat("SELECT ", kManagerColumns, " FROM managers WHERE id = :id"),
                              static_cast<long long>(id), ReadManager,
                              absl::StrCat("manager ", id));
  });
}

absl::StatusOr<std::vector<Manager>> Store::ListManagers(const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<Manager>> {
    return SelectPage<Manager>(s, kManagerColumns, "managers", page, ReadManager);
  });
}

// ---- Funds ----

absl::Status Store::CreateFund(const Fund& fund) {
  RETURN_IF_ERROR(CheckFund(fund));
  return db_->Write([&](soci::session& s) -> absl::Status {
    FundBinds b(fund);
    RETURN_IF_ERROR(RequireManager(s, b.manager_id, absl::StrCat("fund ", b.id)));
    s << "INSERT INTO funds (id, name, tax_id, manager_id, regulatory_class, target_audience,"
         " bylaws_margin_cap, base_currency, active, created_at_us, updated_at_us)"
         " VALUES (:id, :name, :tax, :mgr, :rc, :ta, :cap, :cur, :active, :created, :updated)",
        soci::use(b.id), soci::use(b.name), soci::use(b.tax_id), soci::use(b.manager_id),
        soci::use(b.regulatory_class), soci::use(b.target_audience),
        soci::use(b.cap.value, b.cap.indicator), soci::use(b.base_currency), soci::use(b.active),
        soci::use(b.now), soci::use(b.now);
    return absl::OkStatus();
  });
}

absl::Status Store::UpdateFund(const Fund& fund) {
  RETURN_IF_ERROR(CheckFund(fund));
  absl::Cleanup forget = [this, id = fund.id] {
    db_->AfterTransaction([this, id] { caches_->funds.Erase(id); });
  };
  return db_->Write([&](soci::session& s) -> absl::Status {
    FundBinds b(fund);
    // Absence of the fund is the more basic error, so it is reported before a bad manager.
    if (!IdExists(s, "funds", b.id)) return absl::NotFoundError(absl::StrCat("fund ", b.id, " not found"));
    RETURN_IF_ERROR(RequireManager(s, b.manager_id, absl::StrCat("fund ", b.id)));
    s << "UPDATE funds SET name = :name, tax_id = :tax, manager_id = :mgr,"
         " regulatory_class = :rc, target_audience = :ta, bylaws_margin_cap = :cap,"
         " base_currency = :cur, active = :active, updated_at_us = :updated WHERE id = :id",
        soci::use(b.name), soci::use(b.tax_id), soci::use(b.manager_id),
        soci::use(b.regulatory_class), soci::use(b.target_audience),
        soci::use(b.cap.value, b.cap.indicator), soci::use(b.base_currency), soci::use(b.active),
        soci::use(b.now), soci::use(b.id);
    return absl::OkStatus();
  });
}

absl::StatusOr<Fund> Store::GetFund(int64_t id) {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<Fund> {
    return SelectOne<Fund>(s, absl::StrCat("SELECT ", kFundColumns, " FROM funds WHERE id = :id"),
                           static_cast<long long>(id), ReadFund, absl::StrCat("fund ", id));
  });
}

absl::StatusOr<std::vector<Fund>> Store::ListFunds(std::optional<int64_t> manager_id,
                                                   const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<Fund>> {
    long long after = page.after_id;
    long long manager = manager_id.value_or(0);
    int limit = page.limit;
    std::string sql = absl::StrCat("SELECT ", kFundColumns, " FROM funds WHERE id > :after",
                                   manager_id ? " AND manager_id = :mgr" : "",
                                   " ORDER BY id LIMIT :limit");
    soci::rowset<soci::row> rows =
        manager_id ? (s.prepare << sql, soci::use(after), soci::use(manager), soci::use(limit))
                   : (s.prepare << sql, soci::use(after), soci::use(limit));
    std::vector<Fund> funds;
    for (const soci::row& row : rows) funds.push_back(ReadFund(row));
    return funds;
  });
}

absl::StatusOr<std::vector<Fund>> Store::ListFunds(const FundFilter& filter, const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  KeysetQuery q(kFundColumns, "funds", page);
  if (filter.manager_id) q.Where("manager_id = :mgr", static_cast<long long>(*filter.manager_id));
  if (!filter.include_inactive) q.Where("active = 1");
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<Fund>> {
    return q.Run(s, ReadFund);
  });
}

absl::StatusOr<std::vector<std::pair<int64_t, std::string>>> Store::GetFundNames(
    const std::vector<int64_t>& ids) {
  std::vector<std::pair<int64_t, std::string>> names;
  if (ids.empty()) return names;
  KeysetQuery q("id, name", "funds", Page{0, static_cast<int>(ids.size())});
  q.WhereIn("id", std::vector<long long>(ids.begin(), ids.end()));
  return db_->Read([&](soci::session& s) -> absl::StatusOr<decltype(names)> {
    return q.Run(s, +[](const soci::row& row) {
      RowReader r(row);
      int64_t id = r.Int();
      return std::make_pair(id, r.Str());
    });
  });
}

// ---- Asset types ----

absl::Status Store::UpsertAssetTypes(const std::vector<AssetType>& types) {
  for (const AssetType& t : types) {
    if (t.code.empty()) return absl::InvalidArgumentError("asset type code must not be empty");
  }
  return db_->Write([&](soci::session& s) -> absl::Status {
    std::string code, description;
    soci::statement st =
        (s.prepare << "INSERT INTO asset_types (code, description) VALUES (:c, :d)"
                      " ON CONFLICT (code) DO UPDATE SET description = excluded.description",
         soci::use(code), soci::use(description));
    for (const AssetType& t : types) {
      code = t.code;
      description = t.description;
      st.execute(true);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<AssetType>> Store::ListAssetTypes() {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<AssetType>> {
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT code, description FROM asset_types ORDER BY code");
    std::vector<AssetType> types;
    for (const soci::row& row : rows) {
      RowReader r(row);
      AssetType t;
      t.code = r.Str();
      t.description = r.Str();
      types.push_back(std::move(t));
    }
    return types;
  });
}

// ---- API keys ----

absl::StatusOr<ApiKey> Store::CreateApiKey(const ApiKey& key) {
  RETURN_IF_ERROR(CheckApiKey(key));
  return db_->Write([&](soci::session& s) -> absl::StatusOr<ApiKey> {
    ApiKey created = key;
    std::string role(EnumName(key.role));
    Nullable<long long> manager = NullableInt(key.manager_id);
    Nullable<long long> revoked = NullableMicros(key.revoked_at);
    long long created_at = absl::ToUnixMicros(key.created_at);
    long long id = 0;
    RETURN_IF_ERROR(CheckApiKeyConflicts(s, created));
    s << "INSERT INTO api_keys (label, role, manager_id, secret_hash, created_at_us, created_by,"
         " revoked_at_us) VALUES (:l, :r, :m, :h, :c, :b, :x) RETURNING id",
        soci::use(created.label), soci::use(role), soci::use(manager.value, manager.indicator),
        soci::use(created.secret_hash), soci::use(created_at), soci::use(created.created_by),
        soci::use(revoked.value, revoked.indicator), soci::into(id);
    created.id = id;
    return created;
  });
}

absl::StatusOr<ApiKey> Store::FindApiKeyByHash(const std::string& secret_hash) {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<ApiKey> {
    std::string hash = secret_hash;
    soci::rowset<soci::row> rows =
        (s.prepare << absl::StrCat("SELECT ", kApiKeyColumns, " FROM api_keys WHERE secret_hash = :h"),
         soci::use(hash));
    for (const soci::row& row : rows) return ReadApiKey(row);
    // The hash stands in for a credential, so the message does not repeat it.
    return absl::NotFoundError("no API key has the given secret hash");
  });
}

absl::StatusOr<std::vector<ApiKey>> Store::ListApiKeys(const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<ApiKey>> {
    return SelectPage<ApiKey>(s, kApiKeyColumns, "api_keys", page, ReadApiKey);
  });
}

absl::StatusOr<std::vector<ApiKey>> Store::ListApiKeys(const ApiKeyFilter& filter,
                                                       const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  KeysetQuery q(kApiKeyColumns, "api_keys", page);
  if (filter.manager_id) q.Where("manager_id = :mgr", static_cast<long long>(*filter.manager_id));
  if (!filter.include_revoked) q.Where("revoked_at_us IS NULL");
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<ApiKey>> {
    return q.Run(s, ReadApiKey);
  });
}

absl::Status Store::RevokeApiKey(int64_t id, absl::Time at) {
  // Cleared whatever the outcome: cheap, and revocations are rare.
  absl::Cleanup forget = [this] { db_->AfterTransaction([this] { caches_->api_keys.Clear(); }); };
  return db_->Write([&](soci::session& s) -> absl::Status {
    long long key_id = id;
    long long at_us = absl::ToUnixMicros(at);
    // Keeps the first revocation time: revoking twice must not rewrite when access ended.
    soci::statement st =
        (s.prepare << "UPDATE api_keys SET revoked_at_us = :at WHERE id = :id"
                      " AND revoked_at_us IS NULL",
         soci::use(at_us), soci::use(key_id));
    st.execute(true);
    if (st.get_affected_rows() > 0) return absl::OkStatus();
    if (IdExists(s, "api_keys", key_id)) {
      return absl::FailedPreconditionError(absl::StrCat("API key ", key_id, " is already revoked"));
    }
    return absl::NotFoundError(absl::StrCat("API key ", key_id, " not found"));
  });
}

// ---- Audit log ----

absl::Status CheckAuditRecord(const AuditRecord& r) {
  if (r.principal.empty()) return absl::InvalidArgumentError("audit principal must not be empty");
  if (r.method.empty()) return absl::InvalidArgumentError("audit method must not be empty");
  struct Field {
    const char* name;
    const std::string& value;
    size_t max;
  };
  for (const Field& f : {Field{"principal", r.principal, kMaxAuditPrincipal},
                         Field{"method", r.method, kMaxAuditMethod},
                         Field{"request_id", r.request_id, kMaxAuditRequestId},
                         Field{"outcome", r.outcome, kMaxAuditOutcome},
                         Field{"detail", r.detail, kMaxAuditDetail}}) {
    if (f.value.size() > f.max) {
      return absl::InvalidArgumentError(absl::StrCat("audit ", f.name, " is ", f.value.size(),
                                                     " bytes; at most ", f.max, " are kept"));
    }
  }
  return absl::OkStatus();
}

absl::Status Store::AppendAudit(const AuditRecord& record) {
  RETURN_IF_ERROR(CheckAuditRecord(record));
  return db_->Write([&](soci::session& s) -> absl::Status {
    InsertAudits(s, {&record});
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<AuditRecord>> Store::ListAudit(const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<AuditRecord>> {
    return SelectPage<AuditRecord>(s, kAuditRowColumns, "audit_log", page, ReadAudit);
  });
}

absl::StatusOr<std::vector<AuditRecord>> Store::ListAuditRecords(const AuditFilter& filter,
                                                                 const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  KeysetQuery q(kAuditRowColumns, "audit_log", page, KeysetQuery::Order::kNewestFirst);
  if (filter.principal) q.Where("principal = :principal", *filter.principal);
  if (!filter.methods.empty()) q.WhereIn("method", filter.methods);
  if (filter.start) q.Where("at_us >= :start", absl::ToUnixMicros(*filter.start));
  if (filter.end) q.Where("at_us < :end", absl::ToUnixMicros(*filter.end));
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<AuditRecord>> {
    return q.Run(s, ReadAudit);
  });
}

}  // namespace riskcap::db
