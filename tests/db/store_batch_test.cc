// Store::WriteBatch (group commit) on both backends: per-slot outcomes, one transaction.
#include "tests/db/workflow_test_support.h"

namespace riskcap::testing {
namespace {

class GroupCommitWorkflow : public WorkflowStoreTest {
 protected:
  void SetUp() override {
    WorkflowStoreTest::SetUp();
    SeedManager(1);
    SeedFund(10, 1);
  }
  static MarginSubmission Submission(const std::string& key, int64_t local_micros = 1'000'000) {
    MarginSubmission m;
    m.fund_id = 10;
    m.reference_date = Date(2026, 11, 20);
    m.local_margin = Money::FromMicros(local_micros);
    m.methodology = "VaR";
    m.submitted_at = kT0;
    m.submitted_by = "key:1";
    m.idempotency_key = key;
    m.content_hash = "h";
    return m;
  }
  static AuditRecord Audit(const std::string& request_id) {
    return AuditRecord{0, kT0, "key:1", "MarginService/SubmitMargin", request_id, "OK", ""};
  }
};

TEST_P(GroupCommitWorkflow, EachSlotGetsItsOwnOutcomeAndTheRestCommit) {
  ASSERT_TRUE(store().InsertSubmission(Submission("taken")).ok());
  auto results = store().WriteBatch(
      {{Submission("a")}, {Submission("taken")}, {Submission("bad", -1)}, {Submission("b")}},
      {Audit("a"), Audit("b")});
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 4u);
  ASSERT_TRUE((*results)[0].ok());
  EXPECT_EQ((*results)[1].status().code(), kExists);
  EXPECT_EQ((*results)[2].status().code(), kInvalid);
  ASSERT_TRUE((*results)[3].ok());
  auto a = store().GetSubmission(*(*results)[0]);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->idempotency_key, "a");
  EXPECT_FALSE(store().FindSubmissionByKey("bad").ok());
  auto audit = store().ListAudit({0, 10});
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->size(), 2u);
}

TEST_P(GroupCommitWorkflow, DuplicateKeysInsideOneBatchStoreOnce) {
  auto results = store().WriteBatch({{Submission("dup")}, {Submission("dup")}}, {});
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_TRUE((*results)[0].ok());
  EXPECT_EQ((*results)[1].status().code(), kExists);
  auto listed = store().ListSubmissions({}, {0, 10});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);
}

TEST_P(GroupCommitWorkflow, AnInvalidAuditRecordRejectsTheWholeBatch) {
  AuditRecord bad = Audit("x");
  bad.principal = "";
  auto results = store().WriteBatch({{Submission("x")}}, {bad});
  EXPECT_EQ(results.status().code(), kInvalid);
  EXPECT_FALSE(store().FindSubmissionByKey("x").ok());
}

TEST_P(GroupCommitWorkflow, ASubmissionsOwnAuditRecordCommitsOnlyIfItIsInserted) {
  ASSERT_TRUE(store().InsertSubmission(Submission("taken")).ok());
  auto results = store().WriteBatch(
      {{Submission("new"), Audit("new")}, {Submission("taken"), Audit("taken")}}, {});
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_TRUE((*results)[0].ok());
  EXPECT_EQ((*results)[1].status().code(), kExists);
  auto audit = store().ListAudit({0, 10});
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].request_id, "new");
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(GroupCommitWorkflow);

}  // namespace
}  // namespace riskcap::testing
