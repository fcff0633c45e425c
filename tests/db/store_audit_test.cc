// Tests of the audit support in the store (db/store_audit.cc, AppendAudit's bounds) on SQLite and
// PostgreSQL: bounded audit fields, failed authentication counted per peer and minute, changes
// and their audit records committing together, and the page-token key.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/sha256.h"
#include "db/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"

namespace riskcap::db {
namespace {

using ::riskcap::testing::StoreTest;
using ::testing::HasSubstr;
using ::testing::SizeIs;

const absl::Time kNoon = absl::FromUnixSeconds(1'790'000'000);  // a minute boundary + 20 s

AuditRecord Record(const std::string& request_id, const std::string& detail = "fund=1") {
  return AuditRecord{0, kNoon, "key:1", "FundService/UpdateFund", request_id, "OK", detail};
}

AuthFailure Failure(const std::string& peer, absl::Time at,
                    const std::string& method = "MarginService/SubmitMargin") {
  AuthFailure f;
  f.peer = peer;
  f.method = method;
  f.last_reason = "unknown API key";
  f.last_at = at;
  return f;
}

int64_t AuditRows(Store& store) {
  auto size = store.MeasureAuditLog();
  EXPECT_TRUE(size.ok()) << size.status();
  return size.ok() ? size->rows : -1;
}

using StoreAuditTest = StoreTest;

TEST_P(StoreAuditTest, AppendAuditRefusesAFieldOverItsBound) {
  const std::string huge(5 * 1024 * 1024, 'x');
  struct Case {
    const char* field;
    AuditRecord record;
  };
  std::vector<Case> cases = {
      {"request_id", Record(huge)},
      {"detail", Record("r-1", std::string(kMaxAuditDetail + 1, 'd'))},
      {"principal", AuditRecord{0, kNoon, std::string(kMaxAuditPrincipal + 1, 'p'), "M/m", "r",
                                "OK", ""}},
      {"method", AuditRecord{0, kNoon, "key:1", std::string(kMaxAuditMethod + 1, 'm'), "r", "OK",
                             ""}},
      {"outcome", AuditRecord{0, kNoon, "key:1", "M/m", "r", std::string(kMaxAuditOutcome + 1, 'o'),
                              ""}},
  };
  for (const Case& c : cases) {
    absl::Status st = store().AppendAudit(c.record);
    EXPECT_TRUE(absl::IsInvalidArgument(st)) << c.field << ": " << st;
    EXPECT_THAT(std::string(st.message()), HasSubstr(c.field));
    // The batch path refuses it too, before writing anything.
    auto batch = store().WriteBatch({}, {c.record});
    EXPECT_TRUE(absl::IsInvalidArgument(batch.status())) << c.field;
  }
  EXPECT_EQ(AuditRows(store()), 0);
  ASSERT_TRUE(store().AppendAudit(Record("r-ok", std::string(kMaxAuditDetail, 'd'))).ok());
  auto size = store().MeasureAuditLog();
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(size->rows, 1);
  EXPECT_EQ(size->bytes, int64_t{5 + 22 + 4 + 2} + static_cast<int64_t>(kMaxAuditDetail));
}

TEST_P(StoreAuditTest, AuthFailuresAreCountedPerPeerMinuteAndMethod) {
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(store().RecordAuthFailure(Failure("ipv4:10.0.0.9", kNoon + absl::Milliseconds(i)))
                    .ok());
  }
  ASSERT_TRUE(store().RecordAuthFailure(Failure("ipv4:10.0.0.7", kNoon)).ok());
  ASSERT_TRUE(store().RecordAuthFailure(Failure("ipv4:10.0.0.9", kNoon, "FundService/ListFunds"))
                  .ok());
  ASSERT_TRUE(store().RecordAuthFailure(Failure("ipv4:10.0.0.9", kNoon + absl::Minutes(1))).ok());

  auto rows = store().ListAuthFailures(kNoon - absl::Minutes(1));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_THAT(*rows, SizeIs(4));
  const absl::Time minute = absl::FromUnixSeconds(1'790'000'000 / 60 * 60);
  int64_t flood = 0;
  for (const AuthFailure& f : *rows) {
    EXPECT_EQ(f.last_reason, "unknown API key");
    if (f.peer == "ipv4:10.0.0.9" && f.method == "MarginService/SubmitMargin" &&
        f.minute == minute) {
      flood = f.failures;
      EXPECT_EQ(f.last_at, kNoon + absl::Milliseconds(499));
    } else {
      EXPECT_EQ(f.failures, 1) << f.peer << " " << f.method;
    }
  }
  EXPECT_EQ(flood, 500);
  EXPECT_EQ(AuditRows(store()), 0) << "failed authentication is never an audit record";
}

TEST_P(StoreAuditTest, AuthFailurePeerAndReasonAreBoundedPrintableText) {
  AuthFailure f = Failure(std::string(5000, 'p') + "\xff\n", kNoon);
  f.last_reason = std::string(1000, 'r');
  ASSERT_TRUE(store().RecordAuthFailure(f).ok());
  AuthFailure odd = Failure(std::string("unix:\x01\xfe", 7), kNoon);
  ASSERT_TRUE(store().RecordAuthFailure(odd).ok());
  auto rows = store().ListAuthFailures(kNoon - absl::Minutes(1));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_THAT(*rows, SizeIs(2));
  for (const AuthFailure& row : *rows) {
    EXPECT_LE(row.peer.size(), kMaxAuthFailurePeer);
    EXPECT_LE(row.last_reason.size(), kMaxAuthFailureReason);
  }
  EXPECT_TRUE(absl::IsInvalidArgument(store().RecordAuthFailure(Failure("p", kNoon, ""))));
}

TEST_P(StoreAuditTest, InTransactionCommitsTheChangeWithItsAuditRecord) {
  Manager m{0, "Gestora Audit", "10000000000099"};
  ASSERT_TRUE(store()
                  .InTransaction([&]() -> absl::Status {
                    RETURN_IF_ERROR(store().CreateManager(m).status());
                    return store().AppendAudit(Record("tx-ok"));
                  })
                  .ok());
  EXPECT_EQ(AuditRows(store()), 1);
  auto managers = store().ListManagers({0, 10});
  ASSERT_TRUE(managers.ok());
  EXPECT_THAT(*managers, SizeIs(1));
}

TEST_P(StoreAuditTest, InTransactionRollsBothBackWhenTheAuditRecordFails) {
  Manager m{0, "Gestora Rollback", "10000000000098"};
  absl::Status st = store().InTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(store().CreateManager(m).status());
    return store().AppendAudit(Record(std::string(kMaxAuditRequestId + 1, 'r')));
  });
  EXPECT_TRUE(absl::IsInvalidArgument(st)) << st;
  EXPECT_EQ(AuditRows(store()), 0);
  auto managers = store().ListManagers({0, 10});
  ASSERT_TRUE(managers.ok());
  EXPECT_THAT(*managers, SizeIs(0)) << "a change without its audit record must not commit";
}

TEST_P(StoreAuditTest, RunIdempotentAppendsBeforeCommitInTheSameTransaction) {
  RequestKey key{"FundService/CreateManager", "k1", "ri-1", Sha256Hex("m")};
  auto apply = [&]() -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(Manager created, store().CreateManager({0, "Gestora RI", "10000000000097"}));
    return created.id;
  };
  auto failing_audit = [&](const RequestOutcome&) {
    return store().AppendAudit(Record(std::string(kMaxAuditRequestId + 1, 'r')));
  };
  EXPECT_TRUE(absl::IsInvalidArgument(RunIdempotent(store(), key, apply, failing_audit).status()));
  EXPECT_THAT(*store().ListManagers({0, 10}), SizeIs(0));
  EXPECT_EQ(AuditRows(store()), 0);

  std::vector<bool> replays;
  auto audit = [&](const RequestOutcome& done) {
    replays.push_back(done.replayed);
    return store().AppendAudit(Record("ri-1"));
  };
  ASSERT_TRUE(RunIdempotent(store(), key, apply, audit).ok());
  ASSERT_TRUE(RunIdempotent(store(), key, apply, audit).ok());
  EXPECT_EQ(replays, (std::vector<bool>{false, true}));
  EXPECT_THAT(*store().ListManagers({0, 10}), SizeIs(1));
  EXPECT_EQ(AuditRows(store()), 2);
}

TEST_P(StoreAuditTest, PageTokenKeyIsGeneratedOnceAndKept) {
  auto key = store().PageTokenKey();
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->size(), 64u);
  EXPECT_EQ(key->find_first_not_of("0123456789abcdef"), std::string::npos) << *key;
  auto reopened = Store::Open(scratch_->url(), 1);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto again = (*reopened)->PageTokenKey();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *key);
}

TEST_P(StoreAuditTest, EachDatabaseGetsItsOwnPageTokenKey) {
  auto other = testing::ScratchDatabase::Create(GetParam());
  ASSERT_TRUE(other.ok()) << other.status();
  auto store2 = Store::Open((*other)->url(), 1);
  ASSERT_TRUE(store2.ok()) << store2.status();
  ASSERT_TRUE((*store2)->Migrate().ok());
  auto a = store().PageTokenKey();
  auto b = (*store2)->PageTokenKey();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(StoreAuditTest);

}  // namespace
}  // namespace riskcap::db
