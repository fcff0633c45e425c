// Tests of findings and reminders in the store (db/store_findings.cc), on both backends.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/db/workflow_test_support.h"

namespace riskcap::testing {
namespace {

using db::FindingFilter;
using db::Page;

Finding MakeFinding(const std::string& dedup_key, std::optional<int64_t> fund_id = 101) {
  Finding f;
  f.rule = "OVERDUE";
  f.severity = FindingSeverity::kCritical;
  f.fund_id = fund_id;
  f.reference_date = Date(2024, 3, 28);
  f.message = "fundo 101 não enviou a margem de 2024-03-28";
  f.dedup_key = dedup_key;
  f.raised_at = kT0;
  return f;
}

void ExpectSameFinding(const Finding& a, const Finding& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.rule, b.rule);
  EXPECT_EQ(a.severity, b.severity);
  EXPECT_EQ(a.fund_id, b.fund_id);
  EXPECT_EQ(a.reference_date, b.reference_date);
  EXPECT_EQ(a.job_run_id, b.job_run_id);
  EXPECT_EQ(a.message, b.message);
  EXPECT_EQ(a.dedup_key, b.dedup_key);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.raised_at, b.raised_at);
  EXPECT_EQ(a.acknowledged_by, b.acknowledged_by);
  EXPECT_EQ(a.acknowledged_at, b.acknowledged_at);
  EXPECT_EQ(a.resolved_by, b.resolved_by);
  EXPECT_EQ(a.resolved_at, b.resolved_at);
  EXPECT_EQ(a.resolution, b.resolution);
}

class FindingWorkflow : public OneManagerStoreTest {
 protected:
  Finding Raise(const Finding& f, bool expect_created = true) {
    bool created = !expect_created;
    auto raised = store().RaiseFinding(f, &created);
    EXPECT_TRUE(raised.ok()) << raised.status();
    EXPECT_EQ(created, expect_created);
    return raised.ok() ? *raised : Finding{};
  }

  std::vector<int64_t> List(const FindingFilter& filter) {
    return CollectPages([&](const Page& p) { return store().ListFindings(filter, p); }, 2);
  }

  // Brings a fresh finding to `state` through the store's own transitions.
  Finding RaiseIn(FindingState state, const std::string& key) {
    Finding f = Raise(MakeFinding(key));
    if (state != FindingState::kOpen) {
      EXPECT_TRUE(store().AcknowledgeFinding(f.id, "analyst:1", kT0).ok());
    }
    if (state == FindingState::kResolved) {
      EXPECT_TRUE(store().ResolveFinding(f.id, "analyst:1", "sent late", kT0).ok());
    }
    auto got = store().GetFinding(f.id);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *got : Finding{};
  }
};

TEST_P(FindingWorkflow, RaiseOpensAFindingAndEveryFieldRoundTrips) {
  JobRun run;
  run.job = "margin_status";
  run.reference_date = Date(2024, 3, 28);
  run.params_json = "{}";
  run.triggered_by = "scheduler";
  auto created_run = store().CreateJobRun(run);
  ASSERT_TRUE(created_run.ok()) << created_run.status();
  Finding with_all = MakeFinding("overdue/101/2024-03-28");
  with_all.job_run_id = created_run->id;
  Finding without = MakeFinding("feed/positions/2024-03-28", std::nullopt);
  without.severity = FindingSeverity::kInfo;
  for (Finding wanted : {with_all, without}) {
    Finding raised = Raise(wanted);
    EXPECT_GT(raised.id, 0);
    wanted.id = raised.id;
    ExpectSameFinding(raised, wanted);
    auto got = store().GetFinding(raised.id);
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectSameFinding(*got, wanted);
  }
}

TEST_P(FindingWorkflow, RaisingAgainReturnsTheUnresolvedOneUnchanged) {
  Finding first = Raise(MakeFinding("overdue/101"));
  Finding again = MakeFinding("overdue/101");
  again.message = "a different message";
  again.severity = FindingSeverity::kInfo;
  ExpectSameFinding(Raise(again, /*expect_created=*/false), first);
  ASSERT_TRUE(store().AcknowledgeFinding(first.id, "analyst:1", kT0).ok());
  EXPECT_EQ(Raise(again, /*expect_created=*/false).id, first.id);
  EXPECT_EQ(List({}), std::vector<int64_t>{first.id});
  EXPECT_EQ(store().RaiseFinding(again).value().id, first.id);  // `created` may be omitted
}

TEST_P(FindingWorkflow, RaisingAfterResolutionOpensANewFinding) {
  Finding first = Raise(MakeFinding("overdue/101"));
  ASSERT_TRUE(store().ResolveFinding(first.id, "analyst:1", "received", kT0).ok());
  Finding second = Raise(MakeFinding("overdue/101"));
  EXPECT_NE(second.id, first.id);
  EXPECT_EQ(second.state, FindingState::kOpen);
  EXPECT_EQ(store().GetFinding(first.id).value().state, FindingState::kResolved);
  EXPECT_EQ(Raise(MakeFinding("overdue/101"), false).id, second.id);
}

// A finding belongs to its reference date (migration 0012): the same problem on another date is
// another finding, and resolving one date's leaves the other's open.
TEST_P(FindingWorkflow, TheSameProblemOnAnotherDateIsAnotherFinding) {
  Finding thursday = Raise(MakeFinding("overdue/101"));
  Finding on_friday = MakeFinding("overdue/101");
  on_friday.reference_date = Date(2024, 3, 29);
  Finding friday = Raise(on_friday);
  EXPECT_NE(friday.id, thursday.id);
  EXPECT_EQ(Raise(on_friday, /*expect_created=*/false).id, friday.id);
  EXPECT_EQ(Raise(MakeFinding("overdue/101"), /*expect_created=*/false).id, thursday.id);
  ASSERT_TRUE(store().ResolveFinding(friday.id, "system", "cleared", kT0).ok());
  EXPECT_EQ(store().GetFinding(thursday.id)->state, FindingState::kOpen);
  EXPECT_EQ(Raise(MakeFinding("overdue/101"), /*expect_created=*/false).id, thursday.id);

  FindingFilter of_friday;
  of_friday.reference_date = Date(2024, 3, 29);
  EXPECT_EQ(List(of_friday), std::vector<int64_t>{friday.id});
  FindingFilter of_thursday;
  of_thursday.reference_date = Date(2024, 3, 28);
  of_thursday.state = FindingState::kOpen;
  EXPECT_EQ(List(of_thursday), std::vector<int64_t>{thursday.id});
}

TEST_P(FindingWorkflow, InvalidRaisesAreRefused) {
  struct Case {
    const char* field;
    absl::StatusCode code;
    void (*spoil)(Finding&);
  };
  const Case cases[] = {
      {"rule", kInvalid, [](Finding& f) { f.rule.clear(); }},
      {"dedup_key", kInvalid, [](Finding& f) { f.dedup_key.clear(); }},
      {"message", kInvalid, [](Finding& f) { f.message.clear(); }},
      {"OPEN", kInvalid, [](Finding& f) { f.state = FindingState::kAcknowledged; }},
      {"unresolved", kInvalid, [](Finding& f) { f.resolution = "done"; }},
      {"fund_id 999", kPrecondition, [](Finding& f) { f.fund_id = 999; }},
      {"job_run_id 999", kPrecondition, [](Finding& f) { f.job_run_id = 999; }},
  };
  for (const Case& c : cases) {
    Finding f = MakeFinding("k");
    c.spoil(f);
    absl::Status st = store().RaiseFinding(f).status();
    EXPECT_EQ(st.code(), c.code) << c.field << ": " << st;
    EXPECT_TRUE(absl::StrContains(st.message(), c.field)) << st;
    // Among others raised at once: the same refusal, and the valid one is not stored either.
    st = store().RaiseFindings({MakeFinding("valid"), f}).status();
    EXPECT_EQ(st.code(), c.code) << c.field << ": " << st;
    EXPECT_TRUE(absl::StrContains(st.message(), c.field)) << st;
  }
  EXPECT_TRUE(List({}).empty());
}

// RaiseFindings is RaiseFinding for many at once: the same outcome for each, in order, with one
// transaction and set-wise look-ups (db/store_findings.cc).
TEST_P(FindingWorkflow, RaisingManyAtOnceFindsTheUnresolvedAndOpensTheRest) {
  Finding open = Raise(MakeFinding("overdue/101"));
  Finding resolved = Raise(MakeFinding("breach/101"));
  ASSERT_TRUE(store().ResolveFinding(resolved.id, "analyst:1", "fixed", kT0).ok());
  Finding other_day = MakeFinding("overdue/101");
  other_day.reference_date = Date(2024, 3, 29);
  const std::vector<Finding> batch = {MakeFinding("overdue/101"), MakeFinding("breach/101"),
                                      other_day,                  MakeFinding("new/101"),
                                      MakeFinding("new/101"),     MakeFinding("no-fund", {})};
  auto raised = store().RaiseFindings(batch);
  ASSERT_TRUE(raised.ok()) << raised.status();
  ASSERT_EQ(raised->size(), batch.size());
  ExpectSameFinding((*raised)[0].first, open);  // unresolved: found
  EXPECT_FALSE((*raised)[0].second);
  EXPECT_TRUE((*raised)[1].second);  // its namesake was resolved: a new one
  EXPECT_NE((*raised)[1].first.id, resolved.id);
  EXPECT_TRUE((*raised)[2].second);  // the same problem on another date
  EXPECT_NE((*raised)[2].first.id, open.id);
  EXPECT_TRUE((*raised)[3].second);  // named twice: stored once
  EXPECT_FALSE((*raised)[4].second);
  EXPECT_EQ((*raised)[4].first.id, (*raised)[3].first.id);
  EXPECT_TRUE((*raised)[5].second);
  for (const auto& [f, created] : *raised) ExpectSameFinding(store().GetFinding(f.id).value(), f);
  EXPECT_EQ(List({}).size(), 6u);

  auto again = store().RaiseFindings(batch);
  ASSERT_TRUE(again.ok()) << again.status();
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_FALSE((*again)[i].second) << i;
    EXPECT_EQ((*again)[i].first.id, (*raised)[i].first.id) << i;
  }
  EXPECT_EQ(List({}).size(), 6u);
  EXPECT_TRUE(store().RaiseFindings({}).value().empty());
  const std::vector<Finding> too_many(db::Store::kMaxFindingsRaised + 1, MakeFinding("x"));
  EXPECT_EQ(store().RaiseFindings(too_many).status().code(), kInvalid);
}

enum class Action { kAcknowledge, kResolve };

struct TransitionCase {
  FindingState from;
  Action action;
  absl::StatusCode expected;
};

TEST_P(FindingWorkflow, LifecycleTransitions) {
  using S = FindingState;
  const TransitionCase cases[] = {
      {S::kOpen, Action::kAcknowledge, kOk},
      {S::kOpen, Action::kResolve, kOk},
      {S::kAcknowledged, Action::kAcknowledge, kPrecondition},
      {S::kAcknowledged, Action::kResolve, kOk},
      {S::kResolved, Action::kAcknowledge, kPrecondition},
      {S::kResolved, Action::kResolve, kPrecondition},
  };
  const absl::Time at = kT0 + absl::Microseconds(999'999);
  int n = 0;
  for (const TransitionCase& c : cases) {
    SCOPED_TRACE(absl::StrCat("case ", n));
    Finding before = RaiseIn(c.from, absl::StrCat("key-", n++));
    Finding expected = before;
    absl::StatusOr<Finding> after;
    if (c.action == Action::kAcknowledge) {
      after = store().AcknowledgeFinding(before.id, "analyst:2", at);
      expected.state = FindingState::kAcknowledged;
      expected.acknowledged_by = "analyst:2";
      expected.acknowledged_at = at;
    } else {
      after = store().ResolveFinding(before.id, "analyst:2", "margin received", at);
      expected.state = FindingState::kResolved;
      expected.resolved_by = "analyst:2";
      expected.resolved_at = at;
      expected.resolution = "margin received";
    }
    EXPECT_EQ(after.status().code(), c.expected) << after.status();
    if (c.expected != kOk) {
      EXPECT_TRUE(absl::StrContains(after.status().message(), AbslView(EnumName(c.from))))
          << after.status();
      expected = before;
    } else if (after.ok()) {
      ExpectSameFinding(*after, expected);
    }
    ExpectSameFinding(store().GetFinding(before.id).value(), expected);
  }
}

TEST_P(FindingWorkflow, TransitionsNeedTheirFieldsAndAnExistingFinding) {
  Finding f = Raise(MakeFinding("k"));
  absl::Status st = store().ResolveFinding(f.id, "analyst:1", "", kT0).status();
  EXPECT_EQ(st.code(), kInvalid);
  EXPECT_TRUE(absl::StrContains(st.message(), "resolution")) << st;
  EXPECT_EQ(store().AcknowledgeFinding(f.id, "", kT0).status().code(), kInvalid);
  EXPECT_EQ(store().GetFinding(f.id).value().state, FindingState::kOpen);
  st = store().AcknowledgeFinding(f.id + 100, "analyst:1", kT0).status();
  EXPECT_EQ(st.code(), kNotFound) << st;
  EXPECT_EQ(store().ResolveFinding(f.id + 100, "analyst:1", "x", kT0).status().code(), kNotFound);
  EXPECT_EQ(store().GetFinding(f.id + 100).status().code(), kNotFound);
}

TEST_P(FindingWorkflow, ConcurrentRaisesOfOneProblemOpenExactlyOneFinding) {
  constexpr int kThreads = 8;
  auto wide = db::Store::Open(scratch_->url(), kThreads);
  ASSERT_TRUE(wide.ok()) << wide.status();
  for (int round = 0; round < 5; ++round) {
    const std::string key = absl::StrCat("race/", round);
    std::atomic<int> ready{0};
    std::vector<absl::StatusOr<Finding>> results(kThreads, absl::UnknownError("not run"));
    std::vector<char> created(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kThreads) std::this_thread::yield();  // start together
        bool c = false;
        results[t] = (*wide)->RaiseFinding(MakeFinding(key), &c);
        created[t] = c ? 1 : 0;
      });
    }
    for (std::thread& th : threads) th.join();
    std::set<int64_t> ids;
    int creators = 0;
    for (int t = 0; t < kThreads; ++t) {
      ASSERT_TRUE(results[t].ok()) << results[t].status();
      ids.insert(results[t]->id);
      creators += created[t];
    }
    EXPECT_EQ(ids.size(), 1u) << "round " << round;
    EXPECT_EQ(creators, 1) << "round " << round;
    auto open = store().ListFindings({.state = FindingState::kOpen}, Page{});
    ASSERT_TRUE(open.ok()) << open.status();
    EXPECT_EQ(open->size(), 1u) << "round " << round;
    ASSERT_TRUE(store().ResolveFinding(*ids.begin(), "analyst", "done", kT0).ok());
  }
}

TEST_P(FindingWorkflow, ListFiltersAreAndedAndPagesCoverEveryRowOnce) {
  auto make = [](const char* key, const char* rule, FindingSeverity sev,
                 std::optional<int64_t> fund) {
    Finding f = MakeFinding(key, fund);
    f.rule = rule;
    f.severity = sev;
    return f;
  };
  using V = FindingSeverity;
  Finding a = Raise(make("a", "OVERDUE", V::kInfo, 101));
  Finding b = Raise(make("b", "OVERDUE", V::kWarning, 102));
  Finding c = Raise(make("c", "LIMIT_BREACH", V::kCritical, 101));
  Finding d = Raise(make("d", "QUARANTINED_FEED", V::kCritical, std::nullopt));
  Finding e = Raise(make("e", "OVERDUE", V::kWarning, 101));
  ASSERT_TRUE(store().AcknowledgeFinding(c.id, "x", kT0).ok());
  ASSERT_TRUE(store().ResolveFinding(e.id, "x", "fixed", kT0).ok());

  EXPECT_EQ(List({}), (std::vector<int64_t>{a.id, b.id, c.id, d.id, e.id}));
  EXPECT_EQ(List({.fund_id = 101}), (std::vector<int64_t>{a.id, c.id, e.id}));
  EXPECT_EQ(List({.state = FindingState::kOpen}), (std::vector<int64_t>{a.id, b.id, d.id}));
  EXPECT_EQ(List({.min_severity = V::kInfo}),
            (std::vector<int64_t>{a.id, b.id, c.id, d.id, e.id}));
  EXPECT_EQ(List({.min_severity = V::kWarning}), (std::vector<int64_t>{b.id, c.id, d.id, e.id}));
  EXPECT_EQ(List({.min_severity = V::kCritical}), (std::vector<int64_t>{c.id, d.id}));
  EXPECT_EQ(List({.rule = "OVERDUE"}), (std::vector<int64_t>{a.id, b.id, e.id}));
  EXPECT_EQ(List({.fund_id = 101, .state = FindingState::kOpen, .min_severity = V::kInfo,
                  .rule = "OVERDUE"}),
            std::vector<int64_t>{a.id});
  EXPECT_EQ(store().ListFindings({}, Page{.after_id = 0, .limit = 0}).status().code(), kInvalid);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(FindingWorkflow);

// ---- Reminders ----

Reminder MakeReminder(int64_t manager_id, const std::string& hash) {
  Reminder r;
  r.manager_id = manager_id;
  r.reference_date = Date(2024, 3, 28);
  r.body = "Fundos pendentes: 101, 102";
  r.content_hash = hash;
  r.created_at = kT0;
  return r;
}

void ExpectSameReminder(const Reminder& a, const Reminder& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.manager_id, b.manager_id);
  EXPECT_EQ(a.reference_date, b.reference_date);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.content_hash, b.content_hash);
  EXPECT_EQ(a.created_at, b.created_at);
}

class ReminderWorkflow : public WorkflowStoreTest {
 protected:
  void SetUp() override {
    WorkflowStoreTest::SetUp();
    SeedManager(1);
    SeedManager(2);
  }
};

TEST_P(ReminderWorkflow, InsertAssignsIdAndEveryFieldRoundTrips) {
  Reminder wanted = MakeReminder(1, "h1");
  auto stored = store().InsertReminder(wanted);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_GT(stored->id, 0);
  wanted.id = stored->id;
  ExpectSameReminder(*stored, wanted);
  auto listed = store().ListReminders(1, Page{});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  ExpectSameReminder(listed->front(), wanted);
}

TEST_P(ReminderWorkflow, SameContentForTheSameManagerIsAlreadyExists) {
  Reminder first = store().InsertReminder(MakeReminder(1, "h1")).value();
  Reminder again = MakeReminder(1, "h1");
  again.reference_date = Date(2024, 3, 29);
  absl::Status st = store().InsertReminder(again).status();
  EXPECT_EQ(st.code(), kExists) << st;
  EXPECT_TRUE(absl::StrContains(st.message(), "content_hash")) << st;
  EXPECT_TRUE(store().InsertReminder(MakeReminder(2, "h1")).ok());  // another manager may
  auto listed = store().ListReminders(1, Page{});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  ExpectSameReminder(listed->front(), first);
}

TEST_P(ReminderWorkflow, UnknownManagerOrEmptyHashIsRefused) {
  absl::Status st = store().InsertReminder(MakeReminder(999, "h1")).status();
  EXPECT_EQ(st.code(), kPrecondition) << st;
  EXPECT_TRUE(absl::StrContains(st.message(), "manager_id 999")) << st;
  EXPECT_EQ(store().InsertReminder(MakeReminder(1, "")).status().code(), kInvalid);
}

TEST_P(ReminderWorkflow, ListFiltersByManagerAndPagesCoverEveryRowOnce) {
  std::vector<int64_t> all, of_2;
  for (int i = 0; i < 7; ++i) {
    int64_t manager = i % 3 == 0 ? 2 : 1;
    Reminder r = store().InsertReminder(MakeReminder(manager, absl::StrCat("h", i))).value();
    all.push_back(r.id);
    if (manager == 2) of_2.push_back(r.id);
  }
  auto list = [&](std::optional<int64_t> manager) {
    return CollectPages([&](const Page& p) { return store().ListReminders(manager, p); });
  };
  EXPECT_EQ(list(std::nullopt), all);
  EXPECT_EQ(list(2), of_2);
  EXPECT_EQ(store().ListReminders(std::nullopt, Page{.limit = 0}).status().code(), kInvalid);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(ReminderWorkflow);

}  // namespace
}  // namespace riskcap::testing
