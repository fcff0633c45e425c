// Tests of margin submissions and exemptions in the store (db/store_submissions.cc), both backends.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/db/workflow_test_support.h"

namespace riskcap::testing {
namespace {

using db::Page;
using db::SubmissionFilter;

// More than 2^53 micros, so any trip through a double would show.
constexpr int64_t kBigMicros = 9'007'199'254'740'993;

MarginSubmission MakeSubmission(int64_t fund_id, const std::string& key,
                                Date date = Date(2024, 3, 28)) {
  MarginSubmission m;
  m.fund_id = fund_id;
  m.reference_date = date;
  m.local_margin = Money::FromMicros(kBigMicros);
  m.offshore_margin = Money::FromMicros(1);
  m.methodology = "SA-CCR com 'aspas' e acentuação";
  m.submitted_at = kT0;
  m.submitted_by = "key:7 gestora";
  m.idempotency_key = key;
  m.content_hash = std::string(64, 'c');
  return m;
}

void ExpectSameSubmission(const MarginSubmission& a, const MarginSubmission& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.fund_id, b.fund_id);
  EXPECT_EQ(a.reference_date, b.reference_date);
  EXPECT_EQ(a.local_margin, b.local_margin);
  EXPECT_EQ(a.offshore_margin, b.offshore_margin);
  EXPECT_EQ(a.methodology, b.methodology);
  EXPECT_EQ(a.submitted_at, b.submitted_at);
  EXPECT_EQ(a.submitted_by, b.submitted_by);
  EXPECT_EQ(a.idempotency_key, b.idempotency_key);
  EXPECT_EQ(a.content_hash, b.content_hash);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.decision_reason, b.decision_reason);
  EXPECT_EQ(a.decided_by, b.decided_by);
  EXPECT_EQ(a.decided_at, b.decided_at);
}

std::vector<int64_t> Ids(const std::vector<MarginSubmission>& rows) {
  std::vector<int64_t> ids;
  for (const auto& r : rows) ids.push_back(r.id);
  return ids;
}

class SubmissionWorkflow : public WorkflowStoreTest {
 protected:
  void SetUp() override {
    WorkflowStoreTest::SetUp();
    SeedManager(1);
    SeedManager(2);
    SeedFund(101, 1);
    SeedFund(102, 1);
    SeedFund(201, 2);
  }

  MarginSubmission Insert(int64_t fund_id, const std::string& key, Date date = Date(2024, 3, 28)) {
    auto stored = store().InsertSubmission(MakeSubmission(fund_id, key, date));
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : MarginSubmission{};
  }

  std::vector<int64_t> List(const SubmissionFilter& filter) {
    return CollectPages([&](const Page& p) { return store().ListSubmissions(filter, p); }, 2);
  }
};

TEST_P(SubmissionWorkflow, InsertAssignsIdAndEveryFieldRoundTrips) {
  MarginSubmission submitted = MakeSubmission(101, "req-1");
  auto stored = store().InsertSubmission(submitted);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_GT(stored->id, 0);
  submitted.id = stored->id;
  ExpectSameSubmission(*stored, submitted);
  auto got = store().GetSubmission(stored->id);
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectSameSubmission(*got, submitted);
  EXPECT_FALSE(got->decided_at.has_value());
  auto by_key = store().FindSubmissionByKey("req-1");
  ASSERT_TRUE(by_key.ok()) << by_key.status();
  ExpectSameSubmission(*by_key, submitted);
}

TEST_P(SubmissionWorkflow, ReusedIdempotencyKeyIsAlreadyExistsAndChangesNothing) {
  MarginSubmission first = Insert(101, "req-1");
  MarginSubmission other = MakeSubmission(102, "req-1", Date(2024, 4, 1));
  other.local_margin = Money::FromMicros(5);
  absl::Status st = store().InsertSubmission(other).status();
  EXPECT_EQ(st.code(), kExists) << st;
  EXPECT_TRUE(absl::StrContains(st.message(), "idempotency_key")) << st;
  auto by_key = store().FindSubmissionByKey("req-1");
  ASSERT_TRUE(by_key.ok()) << by_key.status();
  ExpectSameSubmission(*by_key, first);
  EXPECT_EQ(List({}), std::vector<int64_t>{first.id});
}

TEST_P(SubmissionWorkflow, UnknownFundIsFailedPrecondition) {
  absl::Status st = store().InsertSubmission(MakeSubmission(999, "req-1")).status();
  EXPECT_EQ(st.code(), kPrecondition) << st;
  EXPECT_TRUE(absl::StrContains(st.message(), "fund_id 999")) << st;
  EXPECT_EQ(store().FindSubmissionByKey("req-1").status().code(), kNotFound);
}

TEST_P(SubmissionWorkflow, InvalidNewSubmissionsAreRefusedNamingTheField) {
  struct Case {
    const char* field;
    void (*spoil)(MarginSubmission&);
  };
  const Case cases[] = {
      {"local_margin", [](MarginSubmission& m) { m.local_margin = Money::FromMicros(-1); }},
      {"offshore_margin", [](MarginSubmission& m) { m.offshore_margin = Money::FromMicros(-1); }},
      {"idempotency_key", [](MarginSubmission& m) { m.idempotency_key.clear(); }},
      {"RECEIVED", [](MarginSubmission& m) { m.state = SubmissionState::kValidated; }},
      {"undecided", [](MarginSubmission& m) { m.decided_at = kT0; }},
  };
  for (const Case& c : cases) {
    MarginSubmission m = MakeSubmission(101, "req-bad");
    c.spoil(m);
    absl::Status st = store().InsertSubmission(m).status();
    EXPECT_EQ(st.code(), kInvalid) << c.field;
    EXPECT_TRUE(absl::StrContains(st.message(), c.field)) << st;
  }
  EXPECT_TRUE(List({}).empty());
}

TEST_P(SubmissionWorkflow, UnknownIdOrKeyIsNotFound) {
  absl::Status st = store().GetSubmission(42).status();
  EXPECT_EQ(st.code(), kNotFound);
  EXPECT_TRUE(absl::StrContains(st.message(), "submission 42")) << st;
  EXPECT_EQ(store().FindSubmissionByKey("nope").status().code(), kNotFound);
  st = store().DecideSubmission(42, SubmissionState::kValidated, "ok", "analyst", kT0).status();
  EXPECT_EQ(st.code(), kNotFound) << st;
}

struct DecisionCase {
  std::optional<SubmissionState> prior;  // decision taken first, if any
  SubmissionState decision;
  absl::StatusCode expected;
};

TEST_P(SubmissionWorkflow, DecisionTransitions) {
  using S = SubmissionState;
  const DecisionCase cases[] = {
      {std::nullopt, S::kValidated, kOk},      {std::nullopt, S::kRejected, kOk},
      {std::nullopt, S::kReceived, kInvalid},  {S::kValidated, S::kValidated, kPrecondition},
      {S::kValidated, S::kRejected, kPrecondition}, {S::kRejected, S::kValidated, kPrecondition},
      {S::kRejected, S::kRejected, kPrecondition},
  };
  const absl::Time decided_at = kT0 + absl::Microseconds(1'000'001);
  int n = 0;
  for (const DecisionCase& c : cases) {
    SCOPED_TRACE(absl::StrCat("case ", n, ": ", AbslView(EnumName(c.decision))));
    MarginSubmission m = Insert(101, absl::StrCat("req-", n++));
    if (c.prior) {
      ASSERT_TRUE(store().DecideSubmission(m.id, *c.prior, "first", "analyst:1", kT0).ok());
    }
    auto decided = store().DecideSubmission(m.id, c.decision, "why", "analyst:2", decided_at);
    EXPECT_EQ(decided.status().code(), c.expected) << decided.status();
    auto got = store().GetSubmission(m.id);
    ASSERT_TRUE(got.ok()) << got.status();
    if (c.expected == kOk) {
      ASSERT_TRUE(decided.ok());
      m.state = c.decision;
      m.decision_reason = "why";
      m.decided_by = "analyst:2";
      m.decided_at = decided_at;
      ExpectSameSubmission(*decided, m);
      ExpectSameSubmission(*got, m);
    } else if (c.prior) {
      EXPECT_EQ(decided.status().message(),
                absl::StrCat("submission ", m.id, " is already ", AbslView(EnumName(*c.prior))));
      EXPECT_EQ(got->state, *c.prior);
      EXPECT_EQ(got->decided_by, "analyst:1");
      EXPECT_EQ(got->decided_at, kT0);
    } else {
      EXPECT_EQ(got->state, SubmissionState::kReceived);
    }
  }
}

TEST_P(SubmissionWorkflow, DecisionNeedsDeciderAndRejectionNeedsReason) {
  MarginSubmission m = Insert(101, "req-1");
  absl::Status st =
      store().DecideSubmission(m.id, SubmissionState::kValidated, "", "", kT0).status();
  EXPECT_EQ(st.code(), kInvalid);
  EXPECT_TRUE(absl::StrContains(st.message(), "decided_by")) << st;
  st = store().DecideSubmission(m.id, SubmissionState::kRejected, "", "analyst", kT0).status();
  EXPECT_EQ(st.code(), kInvalid);
  EXPECT_TRUE(absl::StrContains(st.message(), "decision_reason")) << st;
  auto validated = store().DecideSubmission(m.id, SubmissionState::kValidated, "", "analyst", kT0);
  ASSERT_TRUE(validated.ok()) << validated.status();
  EXPECT_EQ(validated->decision_reason, "");
}

TEST_P(SubmissionWorkflow, ListFiltersAreAndedAndPagesCoverEveryRowOnce) {
  MarginSubmission a = Insert(101, "a", Date(2024, 3, 1));
  MarginSubmission b = Insert(102, "b", Date(2024, 3, 15));
  MarginSubmission c = Insert(201, "c", Date(2024, 3, 15));
  MarginSubmission d = Insert(101, "d", Date(2024, 3, 31));
  MarginSubmission e = Insert(201, "e", Date(2024, 4, 1));
  ASSERT_TRUE(store().DecideSubmission(d.id, SubmissionState::kRejected, "bad", "x", kT0).ok());

  EXPECT_EQ(List({}), (std::vector<int64_t>{a.id, b.id, c.id, d.id, e.id}));
  EXPECT_EQ(List({.fund_id = 101}), (std::vector<int64_t>{a.id, d.id}));
  EXPECT_EQ(List({.manager_id = 1}), (std::vector<int64_t>{a.id, b.id, d.id}));
  EXPECT_EQ(List({.manager_id = 2}), (std::vector<int64_t>{c.id, e.id}));
  EXPECT_EQ(List({.from_date = Date(2024, 3, 15), .to_date = Date(2024, 3, 31)}),
            (std::vector<int64_t>{b.id, c.id, d.id}));
  EXPECT_EQ(List({.state = SubmissionState::kReceived}),
            (std::vector<int64_t>{a.id, b.id, c.id, e.id}));
  EXPECT_EQ(List({.fund_id = 101, .manager_id = 1, .state = SubmissionState::kRejected}),
            std::vector<int64_t>{d.id});
  EXPECT_TRUE(List({.fund_id = 201, .manager_id = 1}).empty());

  auto page = store().ListSubmissions({.manager_id = 1}, Page{.after_id = a.id, .limit = 1});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(Ids(*page), std::vector<int64_t>{b.id});
  ExpectSameSubmission(page->front(), b);
  EXPECT_EQ(store().ListSubmissions({}, Page{.after_id = 0, .limit = 0}).status().code(), kInvalid);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(SubmissionWorkflow);

// ---- Exemptions ----

Exemption MakeExemption(int64_t fund_id, Date from, Date to) {
  Exemption e;
  e.fund_id = fund_id;
  e.reason = "fundo em liquidação";
  e.valid_from = from;
  e.valid_to = to;
  e.granted_by = "analyst:3";
  e.granted_at = kT0;
  return e;
}

void ExpectSameExemption(const Exemption& a, const Exemption& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.fund_id, b.fund_id);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.valid_from, b.valid_from);
  EXPECT_EQ(a.valid_to, b.valid_to);
  EXPECT_EQ(a.granted_by, b.granted_by);
  EXPECT_EQ(a.granted_at, b.granted_at);
  EXPECT_EQ(a.revoked_at, b.revoked_at);
  EXPECT_EQ(a.revoked_by, b.revoked_by);
}

class ExemptionWorkflow : public OneManagerStoreTest {
 protected:
  Exemption Grant(int64_t fund_id, Date from = Date(2024, 1, 1), Date to = Date(2024, 12, 31)) {
    auto granted = store().GrantExemption(MakeExemption(fund_id, from, to));
    EXPECT_TRUE(granted.ok()) << granted.status();
    return granted.ok() ? *granted : Exemption{};
  }

  std::vector<Exemption> ListAll(std::optional<int64_t> fund_id) {
    auto rows = store().ListExemptions(fund_id, Page{.after_id = 0, .limit = 100});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<Exemption>{};
  }
};

TEST_P(ExemptionWorkflow, GrantAssignsIdAndEveryFieldRoundTrips) {
  Exemption wanted = MakeExemption(101, Date(2024, 2, 29), Date(2024, 2, 29));  // one day is fine
  auto granted = store().GrantExemption(wanted);
  ASSERT_TRUE(granted.ok()) << granted.status();
  EXPECT_GT(granted->id, 0);
  wanted.id = granted->id;
  ExpectSameExemption(*granted, wanted);
  std::vector<Exemption> listed = ListAll(std::nullopt);
  ASSERT_EQ(listed.size(), 1u);
  ExpectSameExemption(listed[0], wanted);
  EXPECT_FALSE(listed[0].revoked_at.has_value());
}

TEST_P(ExemptionWorkflow, InvalidGrantsAreRefusedNamingTheField) {
  absl::Status st =
      store().GrantExemption(MakeExemption(101, Date(2024, 2, 1), Date(2024, 1, 31))).status();
  EXPECT_EQ(st.code(), kInvalid);
  EXPECT_TRUE(absl::StrContains(st.message(), "valid_to")) << st;
  Exemption no_reason = MakeExemption(101, Date(2024, 1, 1), Date(2024, 1, 2));
  no_reason.reason.clear();
  st = store().GrantExemption(no_reason).status();
  EXPECT_EQ(st.code(), kInvalid);
  EXPECT_TRUE(absl::StrContains(st.message(), "reason")) << st;
  Exemption revoked = MakeExemption(101, Date(2024, 1, 1), Date(2024, 1, 2));
  revoked.revoked_at = kT0;
  EXPECT_EQ(store().GrantExemption(revoked).status().code(), kInvalid);
  st = store().GrantExemption(MakeExemption(999, Date(2024, 1, 1), Date(2024, 1, 2))).status();
  EXPECT_EQ(st.code(), kPrecondition) << st;
  EXPECT_TRUE(absl::StrContains(st.message(), "fund_id 999")) << st;
  EXPECT_TRUE(ListAll(std::nullopt).empty());
}

TEST_P(ExemptionWorkflow, RevokeOnceKeepsTheFirstRevocation) {
  Exemption e = Grant(101);
  const absl::Time revoked_at = kT0 + absl::Microseconds(7);
  ASSERT_TRUE(store().RevokeExemption(e.id, "analyst:4", revoked_at).ok());
  absl::Status again = store().RevokeExemption(e.id, "analyst:5", revoked_at + absl::Hours(1));
  EXPECT_EQ(again.code(), kPrecondition) << again;
  EXPECT_TRUE(absl::StrContains(again.message(), "already revoked")) << again;
  EXPECT_EQ(store().RevokeExemption(e.id + 100, "analyst:4", revoked_at).code(), kNotFound);
  EXPECT_EQ(store().RevokeExemption(e.id, "", revoked_at).code(), kInvalid);
  e.revoked_at = revoked_at;
  e.revoked_by = "analyst:4";
  std::vector<Exemption> listed = ListAll(101);
  ASSERT_EQ(listed.size(), 1u);
  ExpectSameExemption(listed[0], e);
}

TEST_P(ExemptionWorkflow, ListFiltersByFundAndPagesCoverEveryRowOnce) {
  std::vector<int64_t> all, of_101;
  for (int i = 0; i < 7; ++i) {
    Exemption e = Grant(i % 2 == 0 ? 101 : 102);
    all.push_back(e.id);
    if (i % 2 == 0) of_101.push_back(e.id);
  }
  auto list = [&](std::optional<int64_t> fund) {
    return CollectPages([&](const Page& p) { return store().ListExemptions(fund, p); });
  };
  EXPECT_EQ(list(std::nullopt), all);
  EXPECT_EQ(list(101), of_101);
  EXPECT_TRUE(list(999).empty());
  EXPECT_EQ(store().ListExemptions(std::nullopt, Page{.after_id = -1}).status().code(), kInvalid);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(ExemptionWorkflow);

}  // namespace
}  // namespace riskcap::testing
