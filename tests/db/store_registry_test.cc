// Tests of the registry part of the store (db/store_registry.cc) on SQLite and PostgreSQL.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "db/internal/database.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"

namespace riskcap::db {
namespace {

using ::riskcap::testing::StoreTest;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
constexpr absl::StatusCode kExists = absl::StatusCode::kAlreadyExists;
constexpr absl::StatusCode kNotFound = absl::StatusCode::kNotFound;
constexpr absl::StatusCode kPrecondition = absl::StatusCode::kFailedPrecondition;

const absl::Time kCreatedAt = absl::FromUnixMicros(1'700'000'000'123'456);

Manager MakeManager(int n) {
  Manager m;
  m.name = absl::StrCat("Gestora ", n);
  m.tax_id = absl::StrCat(10'000'000'000'000 + n);
  return m;
}

Fund MakeFund(int64_t id, int64_t manager_id) {
  Fund f;
  f.id = id;
  f.name = absl::StrCat("Fundo ", id);
  f.tax_id = absl::StrCat(20'000'000'000'000 + id);
  f.manager_id = manager_id;
  f.regulatory_class = RegulatoryClass::kAcoes;
  f.target_audience = TargetAudience::kQualified;
  f.bylaws_margin_cap = 0.25;
  f.base_currency = "BRL";
  return f;
}

std::string HashOf(int n) { return absl::StrCat(std::string(56, 'a'), absl::Hex(n, absl::kZeroPad8)); }

ApiKey MakeKey(int n, Role role = Role::kAnalyst, std::optional<int64_t> manager_id = {}) {
  ApiKey k;
  k.label = absl::StrCat("key ", n);
  k.role = role;
  k.manager_id = manager_id;
  k.secret_hash = HashOf(n);
  k.created_at = kCreatedAt;
  k.created_by = "cli:local";
  return k;
}

void ExpectSameKey(const ApiKey& a, const ApiKey& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.role, b.role);
  EXPECT_EQ(a.manager_id, b.manager_id);
  EXPECT_EQ(a.secret_hash, b.secret_hash);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.created_by, b.created_by);
  EXPECT_EQ(a.revoked_at, b.revoked_at);
}

// Pages through `list` three rows at a time; returns the ids in the order seen, failing the test
// on an error, an unordered id or a page past the end.
template <typename ListFn>
std::vector<int64_t> CollectPages(ListFn list, std::vector<size_t>* page_sizes) {
  std::vector<int64_t> ids;
  Page page{.after_id = 0, .limit = 3};
  for (int guard = 0; guard < 10; ++guard) {
    auto rows = list(page);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok() || rows->empty()) break;
    page_sizes->push_back(rows->size());
    for (const auto& row : *rows) {
      EXPECT_GT(row.id, page.after_id);
      ids.push_back(row.id);
    }
    page.after_id = rows->back().id;
  }
  return ids;
}

void ExpectSevenInThreePages(const std::vector<int64_t>& ids, const std::vector<size_t>& sizes,
                             const std::vector<int64_t>& expected) {
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 1}));
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), ids.size()) << "pages overlap";
  EXPECT_EQ(ids, expected);
}

// ---- Managers ----

class RegistryManagers : public StoreTest {};

TEST_P(RegistryManagers, CreateAssignsIdAndRoundTrips) {
  auto created = store().CreateManager(MakeManager(1));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_GT(created->id, 0);
  Manager expected = MakeManager(1);
  expected.id = created->id;
  EXPECT_EQ(*created, expected);
  auto got = store().GetManager(created->id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, expected);
}

TEST_P(RegistryManagers, GivenIdIsKeptAndLaterAssignedIdsDoNotCollide) {
  Manager given = MakeManager(1);
  given.id = 10;
  auto created = store().CreateManager(given);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(*created, given);
  auto assigned = store().CreateManager(MakeManager(2));
  ASSERT_TRUE(assigned.ok()) << assigned.status();
  EXPECT_GT(assigned->id, 10);
}

TEST_P(RegistryManagers, DuplicateTaxIdOrIdIsAlreadyExists) {
  auto first = store().CreateManager(MakeManager(1));
  ASSERT_TRUE(first.ok()) << first.status();
  Manager same_tax = MakeManager(2);
  same_tax.tax_id = first->tax_id;
  EXPECT_EQ(store().CreateManager(same_tax).status().code(), kExists);
  Manager same_id = MakeManager(3);
  same_id.id = first->id;
  EXPECT_EQ(store().CreateManager(same_id).status().code(), kExists);
}

TEST_P(RegistryManagers, InvalidFieldsAreNamed) {
  Manager no_name = MakeManager(1);
  no_name.name = "";
  absl::Status st = store().CreateManager(no_name).status();
  EXPECT_EQ(st.code(), kInvalid);
  EXPECT_TRUE(absl::StrContains(st.message(), "name")) << st;
  Manager long_name = MakeManager(1);
  long_name.name = std::string(201, 'x');
  EXPECT_EQ(store().CreateManager(long_name).status().code(), kInvalid);
  Manager bad_tax = MakeManager(1);
  bad_tax.tax_id = "12.345.678/0001-90";
  st = store().CreateManager(bad_tax).status();
  EXPECT_EQ(st.code(), kInvalid);
  EXPECT_TRUE(absl::StrContains(st.message(), "tax_id")) << st;
}

TEST_P(RegistryManagers, UpdateRoundTrips) {
  auto created = store().CreateManager(MakeManager(1));
  ASSERT_TRUE(created.ok()) << created.status();
  Manager changed = *created;
  changed.name = "Gestora Renomeada";
  changed.tax_id = "99999999000199";
  ASSERT_TRUE(store().UpdateManager(changed).ok());
  auto got = store().GetManager(changed.id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, changed);
}

TEST_P(RegistryManagers, UpdateToTakenTaxIdIsAlreadyExists) {
  auto a = store().CreateManager(MakeManager(1));
  auto b = store().CreateManager(MakeManager(2));
  ASSERT_TRUE(a.ok() && b.ok());
  Manager clash = *b;
  clash.tax_id = a->tax_id;
  EXPECT_EQ(store().UpdateManager(clash).code(), kExists);
}

TEST_P(RegistryManagers, UnknownIdIsNotFound) {
  Manager ghost = MakeManager(1);
  ghost.id = 999;
  absl::Status st = store().UpdateManager(ghost);
  EXPECT_EQ(st.code(), kNotFound);
  EXPECT_TRUE(absl::StrContains(st.message(), "manager 999")) << st;
  st = store().GetManager(999).status();
  EXPECT_EQ(st.code(), kNotFound);
  EXPECT_TRUE(absl::StrContains(st.message(), "manager 999")) << st;
}

TEST_P(RegistryManagers, ListPagesWithoutOverlapOrGaps) {
  std::vector<int64_t> expected;
  for (int i = 1; i <= 7; ++i) {
    auto m = store().CreateManager(MakeManager(i));
    ASSERT_TRUE(m.ok()) << m.status();
    expected.push_back(m->id);
  }
  std::vector<size_t> sizes;
  auto ids = CollectPages([&](const Page& p) { return store().ListManagers(p); }, &sizes);
  ExpectSevenInThreePages(ids, sizes, expected);
  EXPECT_EQ(store().ListManagers(Page{.after_id = 0, .limit = 0}).status().code(), kInvalid);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(RegistryManagers);

// ---- Funds ----

class RegistryFunds : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    auto m = store().CreateManager(MakeManager(1));
    ASSERT_TRUE(m.ok()) << m.status();
    manager_id_ = m->id;
  }
  // (created_at_us, updated_at_us) of a fund, read straight from the table.
  std::pair<long long, long long> Stamps(int64_t fund_id) {
    std::pair<long long, long long> stamps;
    long long id = fund_id;
    absl::Status st = store().database().Read([&](soci::session& s) -> absl::Status {
      s << "SELECT created_at_us, updated_at_us FROM funds WHERE id = :id", soci::use(id),
          soci::into(stamps.first), soci::into(stamps.second);
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
    return stamps;
  }
  int64_t manager_id_ = 0;
};

TEST_P(RegistryFunds, CreateAndGetRoundTrip) {
  Fund capped = MakeFund(101, manager_id_);
  Fund uncapped = MakeFund(102, manager_id_);
  uncapped.bylaws_margin_cap.reset();
  uncapped.active = false;
  uncapped.regulatory_class = RegulatoryClass::kFidc;
  uncapped.target_audience = TargetAudience::kProfessional;
  uncapped.base_currency = "USD";
  for (const Fund& f : {capped, uncapped}) {
    ASSERT_TRUE(store().CreateFund(f).ok()) << f.id;
    auto got = store().GetFund(f.id);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, f);
  }
}

TEST_P(RegistryFunds, DuplicateIdOrTaxIdIsAlreadyExists) {
  ASSERT_TRUE(store().CreateFund(MakeFund(101, manager_id_)).ok());
  Fund same_id = MakeFund(101, manager_id_);
  same_id.tax_id = "55555555000155";
  EXPECT_EQ(store().CreateFund(same_id).code(), kExists);
  Fund same_tax = MakeFund(102, manager_id_);
  same_tax.tax_id = MakeFund(101, manager_id_).tax_id;
  EXPECT_EQ(store().CreateFund(same_tax).code(), kExists);
}

TEST_P(RegistryFunds, UnknownManagerIsFailedPrecondition) {
  absl::Status st = store().CreateFund(MakeFund(101, 999));
  EXPECT_EQ(st.code(), kPrecondition);
  EXPECT_TRUE(absl::StrContains(st.message(), "manager 999")) << st;
  EXPECT_EQ(store().GetFund(101).status().code(), kNotFound);
}

TEST_P(RegistryFunds, ConstraintViolationsAreInvalidArgument) {
  struct Case {
    const char* what;
    void (*spoil)(Fund&);
  };
  const Case cases[] = {
      {"cap above 1", [](Fund& f) { f.bylaws_margin_cap = 1.5; }},
      {"cap of 0", [](Fund& f) { f.bylaws_margin_cap = 0.0; }},
      {"negative cap", [](Fund& f) { f.bylaws_margin_cap = -0.1; }},
      {"empty name", [](Fund& f) { f.name = ""; }},
      {"empty tax id", [](Fund& f) { f.tax_id = ""; }},
      {"currency too long", [](Fund& f) { f.base_currency = "BRLX"; }},
      {"lowercase currency", [](Fund& f) { f.base_currency = "brl"; }},
      {"zero id", [](Fund& f) { f.id = 0; }},
  };
  for (const Case& c : cases) {
    Fund f = MakeFund(101, manager_id_);
    c.spoil(f);
    EXPECT_EQ(store().CreateFund(f).code(), kInvalid) << c.what;
  }
  EXPECT_EQ(store().GetFund(101).status().code(), kNotFound);
}

TEST_P(RegistryFunds, UpdateRoundTripsAndBumpsUpdatedAt) {
  ASSERT_TRUE(store().CreateFund(MakeFund(101, manager_id_)).ok());
  auto [created, updated_before] = Stamps(101);
  EXPECT_EQ(created, updated_before);
  auto other = store().CreateManager(MakeManager(2));
  ASSERT_TRUE(other.ok()) << other.status();
  Fund changed = MakeFund(101, other->id);
  changed.name = "Fundo Renomeado";
  changed.bylaws_margin_cap.reset();
  changed.active = false;
  absl::SleepFor(absl::Milliseconds(2));  // so the new updated_at is visibly later
  ASSERT_TRUE(store().UpdateFund(changed).ok());
  auto got = store().GetFund(101);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, changed);
  auto [created_after, updated_after] = Stamps(101);
  EXPECT_EQ(created_after, created);
  EXPECT_GT(updated_after, updated_before);
}

TEST_P(RegistryFunds, UpdateErrors) {
  absl::Status st = store().UpdateFund(MakeFund(404, manager_id_));
  EXPECT_EQ(st.code(), kNotFound);
  EXPECT_TRUE(absl::StrContains(st.message(), "fund 404")) << st;
  ASSERT_TRUE(store().CreateFund(MakeFund(101, manager_id_)).ok());
  EXPECT_EQ(store().UpdateFund(MakeFund(101, 999)).code(), kPrecondition);
  Fund capped = MakeFund(101, manager_id_);
  capped.bylaws_margin_cap = 1.5;
  EXPECT_EQ(store().UpdateFund(capped).code(), kInvalid);
  auto got = store().GetFund(101);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, MakeFund(101, manager_id_));
}

TEST_P(RegistryFunds, GetUnknownIsNotFound) {
  absl::Status st = store().GetFund(404).status();
  EXPECT_EQ(st.code(), kNotFound);
  EXPECT_TRUE(absl::StrContains(st.message(), "fund 404")) << st;
}

TEST_P(RegistryFunds, ListFiltersByManager) {
  auto other = store().CreateManager(MakeManager(2));
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(store().CreateFund(MakeFund(103, manager_id_)).ok());
  ASSERT_TRUE(store().CreateFund(MakeFund(101, other->id)).ok());
  ASSERT_TRUE(store().CreateFund(MakeFund(102, manager_id_)).ok());
  auto mine = store().ListFunds(manager_id_, Page{});
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(*mine, (std::vector<Fund>{MakeFund(102, manager_id_), MakeFund(103, manager_id_)}));
  auto all = store().ListFunds(std::nullopt, Page{});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 3u);
  auto none = store().ListFunds(999, Page{});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST_P(RegistryFunds, ListPagesWithoutOverlapOrGaps) {
  std::vector<int64_t> expected;
  for (int64_t id : {107, 101, 105, 103, 102, 106, 104}) {
    ASSERT_TRUE(store().CreateFund(MakeFund(id, manager_id_)).ok());
  }
  for (int64_t id = 101; id <= 107; ++id) expected.push_back(id);
  for (std::optional<int64_t> filter : {std::optional<int64_t>(), std::optional(manager_id_)}) {
    std::vector<size_t> sizes;
    auto ids = CollectPages([&](const Page& p) { return store().ListFunds(filter, p); }, &sizes);
    ExpectSevenInThreePages(ids, sizes, expected);
  }
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(RegistryFunds);

// ---- Asset types ----

class RegistryAssetTypes : public StoreTest {};

TEST_P(RegistryAssetTypes, UpsertInsertsThenReplacesAndListsByCode) {
  ASSERT_TRUE(store().UpsertAssetTypes({{"SWAP", "Swap"}, {"ACAO", "Ação"}}).ok());
  ASSERT_TRUE(store().UpsertAssetTypes({{"SWAP", "Swap de taxa"}, {"OPC", "Opção"}}).ok());
  auto types = store().ListAssetTypes();
  ASSERT_TRUE(types.ok()) << types.status();
  EXPECT_EQ(*types, (std::vector<AssetType>{{"ACAO", "Ação"}, {"OPC", "Opção"},
                                            {"SWAP", "Swap de taxa"}}));
}

TEST_P(RegistryAssetTypes, EmptyCodeRejectsTheWholeBatch) {
  EXPECT_EQ(store().UpsertAssetTypes({{"SWAP", "Swap"}, {"", "nothing"}}).code(), kInvalid);
  auto types = store().ListAssetTypes();
  ASSERT_TRUE(types.ok()) << types.status();
  EXPECT_TRUE(types->empty());
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(RegistryAssetTypes);

// ---- API keys ----

class RegistryApiKeys : public StoreTest {};

TEST_P(RegistryApiKeys, CreateAssignsIdAndFindsByHash) {
  auto manager = store().CreateManager(MakeManager(1));
  ASSERT_TRUE(manager.ok()) << manager.status();
  for (const ApiKey& key : {MakeKey(1), MakeKey(2, Role::kManager, manager->id)}) {
    auto created = store().CreateApiKey(key);
    ASSERT_TRUE(created.ok()) << created.status();
    EXPECT_GT(created->id, 0);
    ApiKey expected = key;
    expected.id = created->id;
    ExpectSameKey(*created, expected);
    auto found = store().FindApiKeyByHash(key.secret_hash);
    ASSERT_TRUE(found.ok()) << found.status();
    ExpectSameKey(*found, expected);
  }
}

TEST_P(RegistryApiKeys, DuplicateHashIsAlreadyExistsWithoutEchoingIt) {
  ASSERT_TRUE(store().CreateApiKey(MakeKey(1)).ok());
  ApiKey again = MakeKey(2);
  again.secret_hash = HashOf(1);
  absl::Status st = store().CreateApiKey(again).status();
  EXPECT_EQ(st.code(), kExists);
  EXPECT_FALSE(absl::StrContains(st.message(), HashOf(1))) << st;
}

TEST_P(RegistryApiKeys, RoleAndManagerMustAgree) {
  EXPECT_EQ(store().CreateApiKey(MakeKey(1, Role::kManager)).status().code(), kInvalid);
  auto manager = store().CreateManager(MakeManager(1));
  ASSERT_TRUE(manager.ok()) << manager.status();
  EXPECT_EQ(store().CreateApiKey(MakeKey(2, Role::kAdmin, manager->id)).status().code(), kInvalid);
  EXPECT_EQ(store().CreateApiKey(MakeKey(3, Role::kManager, 999)).status().code(), kPrecondition);
}

TEST_P(RegistryApiKeys, DatabaseRefusesManagerKeyWithoutManager) {
  // The store checks first; this proves the CHECK constraint holds for any other writer too.
  absl::Status st = store().database().Write([&](soci::session& s) -> absl::Status {
    s << "INSERT INTO api_keys (label, role, secret_hash, created_at_us, created_by)"
         " VALUES ('raw', 'MANAGER', 'h', 0, 'test')";
    return absl::OkStatus();
  });
  EXPECT_EQ(st.code(), kInvalid) << st;
}

TEST_P(RegistryApiKeys, MalformedKeyIsInvalidArgument) {
  ApiKey plaintext = MakeKey(1);
  plaintext.secret_hash = "hunter2";
  EXPECT_EQ(store().CreateApiKey(plaintext).status().code(), kInvalid);
  ApiKey unlabeled = MakeKey(2);
  unlabeled.label = "";
  EXPECT_EQ(store().CreateApiKey(unlabeled).status().code(), kInvalid);
}

TEST_P(RegistryApiKeys, UnknownHashIsNotFoundWithoutEchoingIt) {
  absl::Status st = store().FindApiKeyByHash(HashOf(42)).status();
  EXPECT_EQ(st.code(), kNotFound);
  EXPECT_FALSE(absl::StrContains(st.message(), HashOf(42))) << st;
}

TEST_P(RegistryApiKeys, RevokedKeyStaysFindableWithItsFirstRevocationTime) {
  auto key = store().CreateApiKey(MakeKey(1));
  ASSERT_TRUE(key.ok()) << key.status();
  const absl::Time revoked_at = kCreatedAt + absl::Hours(1);
  ASSERT_TRUE(store().RevokeApiKey(key->id, revoked_at).ok());
  absl::Status again = store().RevokeApiKey(key->id, revoked_at + absl::Hours(1));
  EXPECT_EQ(again.code(), kPrecondition) << again;
  auto found = store().FindApiKeyByHash(key->secret_hash);
  ASSERT_TRUE(found.ok()) << found.status();
  ApiKey expected = *key;
  expected.revoked_at = revoked_at;
  ExpectSameKey(*found, expected);
}

TEST_P(RegistryApiKeys, RevokeUnknownIsNotFound) {
  absl::Status st = store().RevokeApiKey(999, kCreatedAt);
  EXPECT_EQ(st.code(), kNotFound);
  EXPECT_TRUE(absl::StrContains(st.message(), "API key 999")) << st;
}

TEST_P(RegistryApiKeys, ListPagesWithoutOverlapOrGaps) {
  std::vector<int64_t> expected;
  for (int i = 1; i <= 7; ++i) {
    auto k = store().CreateApiKey(MakeKey(i));
    ASSERT_TRUE(k.ok()) << k.status();
    expected.push_back(k->id);
  }
  std::vector<size_t> sizes;
  auto ids = CollectPages([&](const Page& p) { return store().ListApiKeys(p); }, &sizes);
  ExpectSevenInThreePages(ids, sizes, expected);
  auto first = store().ListApiKeys(Page{.after_id = 0, .limit = 1});
  ASSERT_TRUE(first.ok() && first->size() == 1u);
  ApiKey expected_first = MakeKey(1);
  expected_first.id = expected.front();
  ExpectSameKey(first->front(), expected_first);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(RegistryApiKeys);

// ---- Audit log ----

class RegistryAudit : public StoreTest {
 protected:
  static AuditRecord Record(int n) {
    AuditRecord r;
    r.at = kCreatedAt + absl::Seconds(n);
    r.principal = absl::StrCat("key:", n);
    r.method = "/riskcap.v1.MarginService/SubmitMargin";
    r.request_id = absl::StrCat("req-", n);
    r.outcome = n % 2 ? "OK" : "PERMISSION_DENIED";
    r.detail = absl::StrCat("fund ", 100 + n);
    return r;
  }
  // Runs `sql` on the audit table directly, bypassing the store.
  absl::Status Exec(const std::string& sql) {
    return store().database().Write([&](soci::session& s) -> absl::Status {
      s << sql;
      return absl::OkStatus();
    });
  }
};

TEST_P(RegistryAudit, AppendAndListRoundTrip) {
  for (int i = 1; i <= 2; ++i) ASSERT_TRUE(store().AppendAudit(Record(i)).ok());
  auto rows = store().ListAudit(Page{});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  for (int i = 1; i <= 2; ++i) {
    const AuditRecord& got = (*rows)[i - 1];
    AuditRecord want = Record(i);
    EXPECT_GT(got.id, 0);
    EXPECT_EQ(got.at, want.at);
    EXPECT_EQ(got.principal, want.principal);
    EXPECT_EQ(got.method, want.method);
    EXPECT_EQ(got.request_id, want.request_id);
    EXPECT_EQ(got.outcome, want.outcome);
    EXPECT_EQ(got.detail, want.detail);
  }
  EXPECT_LT((*rows)[0].id, (*rows)[1].id);
}

TEST_P(RegistryAudit, MissingPrincipalIsInvalidArgument) {
  AuditRecord r = Record(1);
  r.principal = "";
  EXPECT_EQ(store().AppendAudit(r).code(), kInvalid);
}

TEST_P(RegistryAudit, DatabaseRefusesUpdateAndDelete) {
  ASSERT_TRUE(store().AppendAudit(Record(1)).ok());
  for (const char* sql : {"UPDATE audit_log SET outcome = 'OK', detail = 'rewritten'",
                          "DELETE FROM audit_log"}) {
    absl::Status st = Exec(sql);
    EXPECT_FALSE(st.ok()) << sql;
    EXPECT_TRUE(absl::StrContains(st.message(), "append-only")) << st;
  }
  auto rows = store().ListAudit(Page{});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().detail, Record(1).detail);
}

TEST_P(RegistryAudit, ListPagesWithoutOverlapOrGaps) {
  for (int i = 1; i <= 7; ++i) ASSERT_TRUE(store().AppendAudit(Record(i)).ok());
  auto all = store().ListAudit(Page{});
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<int64_t> expected;
  for (const AuditRecord& r : *all) expected.push_back(r.id);
  std::vector<size_t> sizes;
  auto ids = CollectPages([&](const Page& p) { return store().ListAudit(p); }, &sizes);
  ExpectSevenInThreePages(ids, sizes, expected);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(RegistryAudit);

}  // namespace
}  // namespace riskcap::db
