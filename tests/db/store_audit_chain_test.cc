// The audit chain on both backends: sealing (late commits and gaps included), the append-only
// triggers, and verification finding each kind of tampering done directly in the database at its
// position.
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "db/audit_chain.h"
#include "db/internal/database.h"
#include "db/internal/migrator.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"

namespace riskcap::db {
namespace {

using testing::StoreTest;

AuditRecord Record(int i) {
  AuditRecord r;
  r.at = absl::FromUnixMicros(1'700'000'000'000'000 + i);
  r.principal = absl::StrCat("key:", i);
  r.method = "FundService/UpdateFund";
  r.request_id = absl::StrCat("req-", i);
  r.outcome = "OK";
  r.detail = absl::StrCat("fund=", i);
  return r;
}

class AuditChain : public StoreTest {
 protected:
  // Appends records 1..n and seals them.
  void AppendSealed(int n) {
    for (int i = 1; i <= n; ++i) ASSERT_TRUE(store().AppendAudit(Record(i)).ok());
    auto sealed = store().SealAllAudit();
    ASSERT_TRUE(sealed.ok()) << sealed.status();
  }
  absl::Status Exec(const std::string& sql) {
    return store().database().Write([&](soci::session& s) -> absl::Status {
      s << sql;
      return absl::OkStatus();
    });
  }
  // What a database owner can do: switch the append-only guards off.
  void DisableGuard() {
    std::vector<std::string> sql = {"ALTER TABLE audit_log DISABLE TRIGGER USER",
                                    "ALTER TABLE audit_chain DISABLE TRIGGER USER"};
    if (GetParam() == Backend::kSqlite) {
      sql = {"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete",
             "DROP TRIGGER audit_chain_no_update", "DROP TRIGGER audit_chain_no_delete"};
    }
    for (const std::string& statement : sql) ASSERT_TRUE(Exec(statement).ok()) << statement;
  }
  AuditVerification Verify(const AuditVerifyOptions& options = {}) {
    auto v = store().VerifyAudit(options);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : AuditVerification{};
  }
};

TEST_P(AuditChain, SealedChainVerifiesWithItsCount) {
  AppendSealed(7);
  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(v.records, 7);
  EXPECT_EQ(v.unsealed, 0);
  auto head = store().AuditChainHead();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->position, 7);
  // Recomputing by hand from the documented format gives the stored head.
  std::string h = kAuditGenesisHash;
  for (int i = 1; i <= 7; ++i) h = AuditChainHash(h, i, Record(i));
  EXPECT_EQ(head->hash, h);
}

TEST_P(AuditChain, SealingContinuesTheChainAcrossBatches) {
  AppendSealed(3);
  for (int i = 4; i <= 6; ++i) ASSERT_TRUE(store().AppendAudit(Record(i)).ok());
  EXPECT_EQ(Verify().unsealed, 3);
  int64_t head = -1;
  auto sealed = store().SealAudit(2, &head);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(*sealed, 2);
  EXPECT_EQ(head, 5);  // the head as the batch left it
  ASSERT_TRUE(store().SealAllAudit(&head).ok());
  EXPECT_EQ(head, 6);
  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(v.records, 6);
}

// More records than one round takes (and than one part of PostgreSQL's COPY carries): every one
// is sealed, in id order, to the hashes the documented format gives.
TEST_P(AuditChain, RoundsLargerThanABulkPartSealEveryRecordInOrder) {
  const int n = Store::kAuditSealBatch + 3;
  std::vector<AuditRecord> records;
  for (int i = 1; i <= n; ++i) records.push_back(Record(i));
  ASSERT_TRUE(store().WriteBatch({}, records).ok());
  int64_t head = -1;
  auto sealed = store().SealAllAudit(&head);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(*sealed, n);
  EXPECT_EQ(head, n);
  std::string h = kAuditGenesisHash;
  for (int i = 1; i <= n; ++i) h = AuditChainHash(h, i, Record(i));
  auto stored = store().AuditChainHead();
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->hash, h);
  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(v.records, n);
  EXPECT_EQ(v.unsealed, 0);
}

TEST_P(AuditChain, SealingReportsTheHeadAlsoWhenNothingWasLeftToSeal) {
  int64_t head = -1;
  ASSERT_TRUE(store().SealAllAudit(&head).ok());
  EXPECT_EQ(head, 0);  // the empty chain
  AppendSealed(4);  // sealed by "another sealer"
  auto sealed = store().SealAllAudit(&head);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(*sealed, 0);
  EXPECT_EQ(head, 4);
}

// Inserts record `i` with the explicit `id` (what a writer whose id was assigned earlier does when
// it commits late).
absl::Status InsertWithId(Store& store, int64_t id, int i) {
  AuditRecord r = Record(i);
  return store.database().Write([&](soci::session& s) -> absl::Status {
    long long id_value = id, at = absl::ToUnixMicros(r.at);
    s << "INSERT INTO audit_log (id, at_us, principal, method, request_id, outcome, detail)"
         " VALUES (:id, :at, :p, :m, :r, :o, :d)",
        soci::use(id_value), soci::use(at), soci::use(r.principal), soci::use(r.method),
        soci::use(r.request_id), soci::use(r.outcome), soci::use(r.detail);
    return absl::OkStatus();
  });
}

int64_t CountRows(Store& store, const std::string& sql) {
  long long n = -1;
  EXPECT_TRUE(store.database()
                  .Read([&](soci::session& s) -> absl::Status {
                    s << sql, soci::into(n);
                    return absl::OkStatus();
                  })
                  .ok());
  return n;
}

// Ids a round passes over are looked at again: a record that commits there later is sealed by
// the next round, after the records sealed before it, and the chain verifies.
TEST_P(AuditChain, LateRecordInAPassedOverIdIsSealedNext) {
  AppendSealed(3);
  ASSERT_TRUE(InsertWithId(store(), 10, 10).ok());  // ids 4..9 not (yet) committed
  int64_t head = 0;
  ASSERT_TRUE(store().SealAllAudit(&head).ok());
  EXPECT_EQ(head, 4);
  EXPECT_EQ(CountRows(store(), "SELECT COUNT(*) FROM audit_chain_gaps"), 1);
  ASSERT_TRUE(InsertWithId(store(), 6, 6).ok());  // commits late, inside the gap
  auto sealed = store().SealAllAudit(&head);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(*sealed, 1);
  EXPECT_EQ(head, 5);
  // The gap is split around 6: 4..5 and 7..9 are still looked at.
  EXPECT_EQ(CountRows(store(), "SELECT COUNT(*) FROM audit_chain_gaps"), 2);
  EXPECT_EQ(CountRows(store(), "SELECT audit_id FROM audit_chain WHERE chain_pos = 5"), 6);
  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(v.records, 5);
  EXPECT_EQ(v.unsealed, 0);
}

// A gap is given up after kAuditGapExpiry; a record committing there after that is left to the
// sweep a sealer makes when it starts, and verification counts it as unsealed until then.
TEST_P(AuditChain, ExpiredGapIsLeftToTheStartupSweep) {
  AppendSealed(2);
  ASSERT_TRUE(InsertWithId(store(), 5, 5).ok());
  const absl::Time t0 = absl::Now();
  ASSERT_TRUE(store().SealAudit(Store::AuditSeal{.now = t0}).ok());
  ASSERT_TRUE(
      store().SealAudit(Store::AuditSeal{.now = t0 + Store::kAuditGapExpiry + absl::Seconds(1)})
          .ok());
  EXPECT_EQ(CountRows(store(), "SELECT COUNT(*) FROM audit_chain_gaps"), 0);
  ASSERT_TRUE(InsertWithId(store(), 4, 4).ok());
  auto sealed = store().SealAllAudit();
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(*sealed, 0);
  EXPECT_EQ(Verify().unsealed, 1);
  sealed = store().SealAllAudit(nullptr, /*sweep=*/true);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(*sealed, 1);
  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(v.records, 4);
  EXPECT_EQ(v.unsealed, 0);
}

TEST_P(AuditChain, LogAndChainAreAppendOnly) {
  AppendSealed(2);
  ASSERT_TRUE(store().AppendAudit(Record(3)).ok());
  for (const char* sql : {"UPDATE audit_chain SET chain_hash = 'x' WHERE chain_pos = 1",
                          "UPDATE audit_chain SET audit_id = 3 WHERE chain_pos = 2",
                          "DELETE FROM audit_chain WHERE chain_pos = 2",
                          "UPDATE audit_log SET detail = 'rewritten' WHERE id = 3",
                          "UPDATE audit_log SET detail = 'rewritten' WHERE id = 1",
                          "DELETE FROM audit_log WHERE id = 2"}) {
    absl::Status st = Exec(sql);
    EXPECT_FALSE(st.ok()) << sql;
    EXPECT_TRUE(absl::StrContains(st.message(), "append-only")) << st;
  }
  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(v.unsealed, 1);
}

TEST_P(AuditChain, ChangedRowIsFoundAtItsPosition) {
  AppendSealed(6);
  DisableGuard();
  ASSERT_TRUE(Exec("UPDATE audit_log SET outcome = 'PERMISSION_DENIED'"
                   " WHERE id = (SELECT audit_id FROM audit_chain WHERE chain_pos = 4)").ok());
  AuditVerification v = Verify();
  EXPECT_EQ(v.reason, AuditBreak::kRowChanged) << v.detail;
  EXPECT_EQ(v.position, 4);
}

TEST_P(AuditChain, DeletedRowIsFoundAtItsPosition) {
  AppendSealed(6);
  DisableGuard();
  ASSERT_TRUE(
      Exec("DELETE FROM audit_log WHERE id = (SELECT audit_id FROM audit_chain WHERE chain_pos = 3)")
          .ok());
  AuditVerification v = Verify();
  EXPECT_EQ(v.reason, AuditBreak::kRowMissing) << v.detail;
  EXPECT_EQ(v.position, 3);
}

TEST_P(AuditChain, DeletedChainEntryIsFoundAtItsPosition) {
  AppendSealed(6);
  DisableGuard();
  ASSERT_TRUE(Exec("DELETE FROM audit_chain WHERE chain_pos = 5").ok());
  AuditVerification v = Verify();
  EXPECT_EQ(v.reason, AuditBreak::kRowMissing) << v.detail;
  EXPECT_EQ(v.position, 5);
}

TEST_P(AuditChain, InsertedRowIsFoundAtItsPosition) {
  AppendSealed(6);
  DisableGuard();
  // Make room at position 3 (through a detour: positions are unique) and put a record there.
  ASSERT_TRUE(Exec("UPDATE audit_chain SET chain_pos = chain_pos + 1001 WHERE chain_pos >= 3").ok());
  ASSERT_TRUE(Exec("UPDATE audit_chain SET chain_pos = chain_pos - 1000 WHERE chain_pos > 1000").ok());
  ASSERT_TRUE(Exec("INSERT INTO audit_log (at_us, principal, method, request_id, outcome, detail)"
                   " VALUES (1, 'key:1', 'm', 'forged', 'OK', 'd')").ok());
  ASSERT_TRUE(Exec("INSERT INTO audit_chain (chain_pos, audit_id, chain_hash)"
                   " SELECT 3, MAX(id), 'ab' FROM audit_log").ok());
  AuditVerification v = Verify();
  EXPECT_EQ(v.reason, AuditBreak::kRowInserted) << v.detail;
  EXPECT_EQ(v.position, 3);
}

TEST_P(AuditChain, ReorderedRowsAreFoundAtTheFirst) {
  AppendSealed(6);
  DisableGuard();
  ASSERT_TRUE(Exec("UPDATE audit_chain SET chain_pos = 1000 WHERE chain_pos = 2").ok());
  ASSERT_TRUE(Exec("UPDATE audit_chain SET chain_pos = 2 WHERE chain_pos = 3").ok());
  ASSERT_TRUE(Exec("UPDATE audit_chain SET chain_pos = 3 WHERE chain_pos = 1000").ok());
  AuditVerification v = Verify();
  EXPECT_EQ(v.reason, AuditBreak::kRowMoved) << v.detail;
  EXPECT_EQ(v.position, 2);
}

TEST_P(AuditChain, ForgedCheckpointIsRefused) {
  AppendSealed(2);
  auto head = store().AuditChainHead();
  ASSERT_TRUE(head.ok());
  AuditCheckpoint forged{0, head->position, head->hash, 1, std::string(64, 'a'),
                         std::string(128, 'b')};
  ASSERT_TRUE(store().AppendAuditCheckpoint(forged).ok());
  AuditVerification v = Verify();
  EXPECT_EQ(v.reason, AuditBreak::kSignatureInvalid) << v.detail;
  EXPECT_EQ(v.position, 2);
}

TEST_P(AuditChain, CheckpointsCannotBeChanged) {
  AuditCheckpoint c{0, 0, kAuditGenesisHash, 1, std::string(64, 'a'), std::string(128, 'b')};
  ASSERT_TRUE(store().AppendAuditCheckpoint(c).ok());
  for (const char* sql : {"UPDATE audit_checkpoints SET chain_pos = 5",
                          "DELETE FROM audit_checkpoints"}) {
    EXPECT_FALSE(Exec(sql).ok()) << sql;
  }
}

// TRUNCATE fires no row trigger; its own statement trigger refuses it (what a forced one leaves
// is found by the signed checkpoints: tests/server/admin/audit_chain_riskcapd_test.cc).
TEST(AuditChainPostgres, TruncateIsRefused) {
  auto scratch = testing::ScratchDatabase::Create(Backend::kPostgresql);
  ASSERT_TRUE(scratch.ok()) << scratch.status();
  auto store = Store::Open((*scratch)->url(), 2);
  ASSERT_TRUE(store.ok() && (*store)->Migrate().ok());
  ASSERT_TRUE((*store)->AppendAudit(Record(1)).ok());
  for (const char* table : {"audit_log", "audit_chain", "audit_checkpoints"}) {
    absl::Status refused = (*store)->database().Write([&](soci::session& s) -> absl::Status {
      s << "TRUNCATE " << table;
      return absl::OkStatus();
    });
    EXPECT_TRUE(absl::StrContains(refused.message(), "append-only")) << table << ": " << refused;
  }
  auto size = (*store)->MeasureAuditLog();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size->rows, 1);
}

// On PostgreSQL writers commit concurrently: a record whose transaction is still open when a
// round runs is passed over, not lost, and sealed by the round after it commits.
TEST(AuditChainPostgres, RecordCommittingAfterALaterOneIsSealed) {
  auto scratch = testing::ScratchDatabase::Create(Backend::kPostgresql);
  ASSERT_TRUE(scratch.ok()) << scratch.status();
  auto store = Store::Open((*scratch)->url(), 3);
  ASSERT_TRUE(store.ok() && (*store)->Migrate().ok());
  ASSERT_TRUE((*store)->AppendAudit(Record(1)).ok());
  absl::Notification inserted, release;
  std::thread slow([&] {
    absl::Status st = (*store)->database().Write([&](soci::session& s) -> absl::Status {
      AuditRecord r = Record(2);
      long long at = absl::ToUnixMicros(r.at);
      s << "INSERT INTO audit_log (at_us, principal, method, request_id, outcome, detail)"
           " VALUES (:at, :p, :m, :r, :o, :d)",
          soci::use(at), soci::use(r.principal), soci::use(r.method), soci::use(r.request_id),
          soci::use(r.outcome), soci::use(r.detail);
      inserted.Notify();
      release.WaitForNotification();
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
  });
  inserted.WaitForNotification();
  ASSERT_TRUE((*store)->AppendAudit(Record(3)).ok());  // a higher id, committed first
  int64_t head = 0;
  ASSERT_TRUE((*store)->SealAllAudit(&head).ok());
  EXPECT_EQ(head, 2);  // records 1 and 3
  release.Notify();
  slow.join();
  auto sealed = (*store)->SealAllAudit(&head);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(*sealed, 1);
  EXPECT_EQ(head, 3);
  auto v = (*store)->VerifyAudit({});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok()) << v->detail;
  EXPECT_EQ(v->records, 3);
  EXPECT_EQ(v->unsealed, 0);
}

// A store sealed before migration 0019 (the chain in two columns of audit_log) verifies as it is
// (a backup file is verified without migrating it), and after the migration, which moves every
// entry unchanged into audit_chain, the same chain verifies and sealing continues it.
class AuditChainUpgrade : public ::testing::TestWithParam<Backend> {};

TEST_P(AuditChainUpgrade, ChainSealedInColumnsVerifiesBeforeAndAfterMigration0019) {
  auto scratch = testing::ScratchDatabase::Create(GetParam());
  ASSERT_TRUE(scratch.ok()) << scratch.status();
  auto store = Store::Open((*scratch)->url(), 2);
  ASSERT_TRUE(store.ok()) << store.status();
  auto at18 = MigrateUpTo((*store)->database(), 18);
  ASSERT_TRUE(at18.ok() && *at18 == 18) << at18.status();
  std::string prev = kAuditGenesisHash;
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE((*store)->AppendAudit(Record(i)).ok());
    if (i == 4) break;  // left unsealed
    prev = AuditChainHash(prev, i, Record(i));
    ASSERT_TRUE((*store)
                    ->database()
                    .Write([&](soci::session& s) -> absl::Status {
                      s << absl::StrCat("UPDATE audit_log SET chain_pos = ", i,
                                        ", chain_hash = '", prev, "' WHERE id = ", i);
                      return absl::OkStatus();
                    })
                    .ok());
  }
  auto before = (*store)->VerifyAudit({});
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_TRUE(before->ok()) << before->detail;
  EXPECT_EQ(before->records, 3);
  EXPECT_EQ(before->unsealed, 1);

  ASSERT_TRUE((*store)->Migrate().ok());
  auto after = (*store)->VerifyAudit({});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(after->ok()) << after->detail;
  EXPECT_EQ(after->records, 3);
  EXPECT_EQ(after->unsealed, 1);
  int64_t head = 0;
  ASSERT_TRUE((*store)->SealAllAudit(&head).ok());
  EXPECT_EQ(head, 4);
  auto sealed = (*store)->VerifyAudit({});
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_TRUE(sealed->ok()) << sealed->detail;
  EXPECT_EQ(sealed->records, 4);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(AuditChainUpgrade);
RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(AuditChain);

}  // namespace
}  // namespace riskcap::db
