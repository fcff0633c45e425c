// FindingService (server/findings/finding_service.cc) against a real server on both backends: list
// filters and pages, the acknowledge/resolve lifecycle with idempotent retries, MANAGER scoping,
// reminders, and WatchFindings (replay, live delivery through the notifier and by polling, end
// on cancel and on shutdown).
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/finding.grpc.pb.h"
#include "server/findings/finding_notifier.h"
#include "server/findings/finding_service.h"
#include "server/jobs/job.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/service_fixture.h"

namespace riskcap::server {
namespace {

using ::riskcap::testing::ViolatedFields;
using ::testing::ElementsAre;
using Clock = std::chrono::steady_clock;

class FindingServiceTest : public ::riskcap::testing::ServiceFixture<v1::FindingService> {
 protected:
  // Long enough that only the notifier can explain a prompt delivery.
  virtual absl::Duration PollInterval() const { return absl::Seconds(30); }

  std::vector<std::unique_ptr<grpc::Service>> MakeServices(RpcEnv& env) override {
    env.findings = &notifier_;
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<FindingServiceImpl>(env, PollInterval()));
    return services;
  }

  void TearDown() override {
    notifier_.Shutdown();
    server_.reset();  // before notifier_ goes
  }

  // Raises a finding the way a job does: through a JobContext whose hook wakes the notifier.
  Finding Raise(const std::string& rule, int64_t fund, FindingSeverity severity,
                const std::string& key) {
    jobs::JobContext::Hooks hooks;
    hooks.finding_raised = [this](const Finding& f, bool) { notifier_.Notify(f); };
    jobs::JobContext ctx(server_->store(), server_->clock(), rules_, 0, "margin_status",
                         Date(2026, 11, 24), {}, hooks);
    Finding f;
    f.rule = rule;
    f.severity = severity;
    f.fund_id = fund;
    f.message = absl::StrCat(rule, " on fund ", fund);
    f.dedup_key = key;
    auto raised = ctx.RaiseFinding(f);
    EXPECT_TRUE(raised.ok()) << raised.status();
    return raised.ok() ? *raised : Finding{};
  }

  std::vector<int64_t> Ids(const std::string& key, v1::ListFindingsRequest r) {
    std::vector<int64_t> ids;
    for (int guard = 0; guard < 50; ++guard) {
      v1::ListFindingsResponse out;
      grpc::Status st = Call(key, &Stub::ListFindings, r, &out);
      EXPECT_TRUE(st.ok()) << st.error_message();
      for (const auto& f : out.findings()) ids.push_back(f.finding_id());
      if (out.next_page_token().empty()) break;
      r.set_page_token(out.next_page_token());
    }
    return ids;
  }

  grpc::Status Ack(const std::string& key, int64_t id, const std::string& request_id,
                   v1::Finding* out = nullptr) {
    v1::AcknowledgeFindingRequest r;
    r.set_request_id(request_id);
    r.set_finding_id(id);
    return Call(key, &Stub::AcknowledgeFinding, r, out);
  }

  grpc::Status Resolve(const std::string& key, int64_t id, const std::string& request_id,
                       const std::string& resolution, v1::Finding* out = nullptr) {
    v1::ResolveFindingRequest r;
    r.set_request_id(request_id);
    r.set_finding_id(id);
    r.set_resolution(resolution);
    return Call(key, &Stub::ResolveFinding, r, out);
  }

  // An open WatchFindings stream; Start returns once the server fixed its starting point.
  struct Watch {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReader<v1::Finding>> reader;
  };
  std::unique_ptr<Watch> StartWatch(const std::string& key, const v1::WatchFindingsRequest& r) {
    auto w = std::make_unique<Watch>();
    w->ctx.AddMetadata("authorization", "Bearer " + key);
    w->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    w->reader = stub_->WatchFindings(&w->ctx, r);
    w->reader->WaitForInitialMetadata();
    return w;
  }

  FindingNotifier notifier_;
  rules::RulesConfig rules_;
};

TEST_P(FindingServiceTest, ListsNewestFirstWithFiltersAndPages) {
  Finding a = Raise("OVERDUE", 101, FindingSeverity::kWarning, "k1");
  Finding b = Raise("LIMIT_BREACH", 101, FindingSeverity::kCritical, "k2");
  Finding c = Raise("OVERDUE", 201, FindingSeverity::kWarning, "k3");
  Finding d = Raise("STALE_ESTIMATE", 102, FindingSeverity::kInfo, "k4");
  Finding e = Raise("NAV_CRITICAL", 201, FindingSeverity::kCritical, "k5");
  v1::ListFindingsRequest all;
  all.set_page_size(2);
  EXPECT_THAT(Ids(analyst_, all), ElementsAre(e.id, d.id, c.id, b.id, a.id));
  EXPECT_THAT(Ids(manager1_, all), ElementsAre(d.id, b.id, a.id));  // own funds only
  v1::ListFindingsRequest by_fund;
  by_fund.set_fund_id(201);
  EXPECT_THAT(Ids(service_, by_fund), ElementsAre(e.id, c.id));
  EXPECT_EQ(Call(manager1_, &Stub::ListFindings, by_fund).error_code(), Code::PERMISSION_DENIED);
  v1::ListFindingsRequest critical;
  critical.set_minimum_severity(v1::FINDING_SEVERITY_CRITICAL);
  EXPECT_THAT(Ids(analyst_, critical), ElementsAre(e.id, b.id));
  v1::ListFindingsRequest by_rule;
  by_rule.set_rule("OVERDUE");
  EXPECT_THAT(Ids(analyst_, by_rule), ElementsAre(c.id, a.id));
  ASSERT_TRUE(Ack(analyst_, b.id, "ack-b").ok());
  v1::ListFindingsRequest acknowledged;
  acknowledged.set_state(v1::FINDING_STATE_ACKNOWLEDGED);
  EXPECT_THAT(Ids(analyst_, acknowledged), ElementsAre(b.id));
  v1::ListFindingsRequest bad;
  bad.set_fund_id(-1);
  bad.set_state(static_cast<v1::FindingState>(9));
  EXPECT_THAT(ViolatedFields(Call(analyst_, &Stub::ListFindings, bad)),
              ::testing::UnorderedElementsAre("fund_id", "state"));
}

TEST_P(FindingServiceTest, AcknowledgeThenResolveWithRetriesAndWrongStates) {
  Finding f = Raise("OVERDUE", 101, FindingSeverity::kWarning, "k1");
  server_->clock().Advance(absl::Minutes(5));
  v1::Finding acked, replay;
  ASSERT_TRUE(Ack(analyst_, f.id, "ack-1", &acked).ok());
  EXPECT_EQ(acked.state(), v1::FINDING_STATE_ACKNOWLEDGED);
  EXPECT_EQ(acked.acknowledged_by().rfind("key:", 0), 0u);
  EXPECT_EQ(acked.acknowledge_time().seconds(), absl::ToUnixSeconds(server_->clock().Now()));
  ASSERT_TRUE(Ack(analyst_, f.id, "ack-1", &replay).ok());  // a retry: same outcome
  EXPECT_EQ(replay.acknowledge_time().seconds(), acked.acknowledge_time().seconds());
  EXPECT_EQ(Ack(analyst_, f.id, "ack-2").error_code(), Code::FAILED_PRECONDITION);
  EXPECT_EQ(Ack(analyst_, f.id + 1, "ack-1").error_code(), Code::ALREADY_EXISTS);  // id reused
  EXPECT_EQ(Ack(manager1_, f.id, "ack-m").error_code(), Code::PERMISSION_DENIED);
  EXPECT_EQ(Ack(service_, f.id, "ack-s").error_code(), Code::PERMISSION_DENIED);
  v1::Finding resolved;
  ASSERT_TRUE(Resolve(admin_, f.id, "res-1", "manager sent the report", &resolved).ok());
  EXPECT_EQ(resolved.state(), v1::FINDING_STATE_RESOLVED);
  EXPECT_EQ(resolved.resolution(), "manager sent the report");
  ASSERT_TRUE(Resolve(admin_, f.id, "res-1", "manager sent the report").ok());
  EXPECT_EQ(Resolve(admin_, f.id, "res-2", "again").error_code(), Code::FAILED_PRECONDITION);
  EXPECT_EQ(Ack(analyst_, f.id, "ack-3").error_code(), Code::FAILED_PRECONDITION);
  EXPECT_EQ(Resolve(analyst_, 99999, "res-3", "x").error_code(), Code::NOT_FOUND);
  EXPECT_THAT(ViolatedFields(Resolve(analyst_, 0, "bad id!", "")),
              ::testing::UnorderedElementsAre("request_id", "finding_id", "resolution"));
  // Resolving straight from OPEN is allowed.
  Finding g = Raise("OVERDUE", 201, FindingSeverity::kWarning, "k2");
  ASSERT_TRUE(Resolve(analyst_, g.id, "res-4", "duplicate of another finding").ok());
  auto audit = server_->store().ListAudit(db::Page{0, 1000});
  ASSERT_TRUE(audit.ok());
  int transitions = 0;
  for (const AuditRecord& r : *audit) {
    if (r.method.find("FindingService/") != std::string::npos) ++transitions;
  }
  EXPECT_GE(transitions, 6);  // every mutating call, accepted or refused, is audited
}

TEST_P(FindingServiceTest, WatchReplaysThenDeliversAFindingRaisedAfterOpening) {
  Finding a = Raise("OVERDUE", 101, FindingSeverity::kWarning, "k1");
  Finding b = Raise("OVERDUE", 102, FindingSeverity::kWarning, "k2");
  Finding c = Raise("OVERDUE", 201, FindingSeverity::kWarning, "k3");
  v1::WatchFindingsRequest r;
  r.set_after_finding_id(a.id);
  auto watch = StartWatch(analyst_, r);
  v1::Finding got;
  ASSERT_TRUE(watch->reader->Read(&got));
  EXPECT_EQ(got.finding_id(), b.id);
  ASSERT_TRUE(watch->reader->Read(&got));
  EXPECT_EQ(got.finding_id(), c.id);
  const auto raised_at = Clock::now();
  Finding d = Raise("LIMIT_BREACH", 101, FindingSeverity::kCritical, "k4");
  ASSERT_TRUE(watch->reader->Read(&got));
  EXPECT_EQ(got.finding_id(), d.id);
  EXPECT_EQ(got.rule(), "LIMIT_BREACH");
  EXPECT_LT(Clock::now() - raised_at, std::chrono::seconds(5));  // the notifier, not the poll
  const auto cancelled_at = Clock::now();
  watch->ctx.TryCancel();
  EXPECT_FALSE(watch->reader->Read(&got));
  EXPECT_EQ(watch->reader->Finish().error_code(), Code::CANCELLED);
  EXPECT_LT(Clock::now() - cancelled_at, std::chrono::seconds(5));
}

TEST_P(FindingServiceTest, WatchWithoutReplayStartsNowAndKeepsToTheFilters) {
  Raise("OVERDUE", 101, FindingSeverity::kWarning, "old");
  v1::WatchFindingsRequest r;
  r.set_minimum_severity(v1::FINDING_SEVERITY_CRITICAL);
  auto watch = StartWatch(manager1_, r);  // manager 1: funds 101 and 102 only
  Raise("LIMIT_BREACH", 201, FindingSeverity::kCritical, "other manager");
  Raise("OVERDUE", 101, FindingSeverity::kWarning, "not severe enough");
  Finding mine = Raise("NAV_CRITICAL", 102, FindingSeverity::kCritical, "mine");
  v1::Finding got;
  ASSERT_TRUE(watch->reader->Read(&got));
  EXPECT_EQ(got.finding_id(), mine.id);
}

TEST_P(FindingServiceTest, WatchEndsPromptlyWhenTheServerShutsDown) {
  auto watch = StartWatch(service_, v1::WatchFindingsRequest());
  const auto stopped_at = Clock::now();
  notifier_.Shutdown();
  v1::Finding got;
  EXPECT_FALSE(watch->reader->Read(&got));
  EXPECT_EQ(watch->reader->Finish().error_code(), Code::UNAVAILABLE);
  EXPECT_LT(Clock::now() - stopped_at, std::chrono::seconds(5));
}

TEST_P(FindingServiceTest, ListRemindersScopedToTheManager) {
  for (int64_t manager : {1, 2, 1}) {
    Reminder m;
    m.manager_id = manager;
    m.reference_date = Date(2026, 11, 24);
    m.body = absl::StrCat("pending for ", manager, " #", absl::ToUnixSeconds(server_->clock().Now()));
    m.content_hash = absl::StrCat(std::hash<std::string>{}(m.body));
    m.created_at = server_->clock().Now();
    server_->clock().Advance(absl::Seconds(1));
    ASSERT_TRUE(server_->store().InsertReminder(m).ok());
  }
  v1::ListRemindersRequest r;
  v1::ListRemindersResponse out;
  ASSERT_TRUE(Call(analyst_, &Stub::ListReminders, r, &out).ok());
  EXPECT_EQ(out.reminders_size(), 3);
  out.Clear();
  ASSERT_TRUE(Call(manager1_, &Stub::ListReminders, r, &out).ok());
  ASSERT_EQ(out.reminders_size(), 2);
  for (const auto& m : out.reminders()) EXPECT_EQ(m.manager_id(), 1);
  r.set_manager_id(2);
  EXPECT_EQ(Call(manager1_, &Stub::ListReminders, r).error_code(), Code::PERMISSION_DENIED);
  r.set_page_size(1);
  r.set_manager_id(0);
  out.Clear();
  ASSERT_TRUE(Call(service_, &Stub::ListReminders, r, &out).ok());
  EXPECT_EQ(out.reminders_size(), 1);
  EXPECT_FALSE(out.next_page_token().empty());
}

TEST_P(FindingServiceTest, ManagersWatchOfAllItsFundsStaysOpenButStopsDeliveringAFundItLost) {
  auto watch = StartWatch(manager1_, v1::WatchFindingsRequest());  // funds 101 and 102, no filter
  Finding before = Raise("OVERDUE", 101, FindingSeverity::kWarning, "before");
  v1::Finding got;
  ASSERT_TRUE(watch->reader->Read(&got));
  EXPECT_EQ(got.finding_id(), before.id);  // fund 101 is delivered while manager 1 has it

  auto fund = server_->store().GetFund(101);
  ASSERT_TRUE(fund.ok()) << fund.status();
  fund->manager_id = 2;
  ASSERT_TRUE(server_->store().UpdateFund(*fund).ok());
  // The watch reads its manager's funds again at most every kLookupTtl; the contract is that the
  // lost fund stops being delivered within that bound, so the test raises once it has passed.
  absl::SleepFor(db::Store::kLookupTtl);
  Finding lost = Raise("LIMIT_BREACH", 101, FindingSeverity::kCritical, "lost");
  Finding kept = Raise("LIMIT_BREACH", 102, FindingSeverity::kCritical, "kept");
  ASSERT_TRUE(watch->reader->Read(&got)) << watch->reader->Finish().error_message();
  EXPECT_EQ(got.finding_id(), kept.id) << "got finding " << got.finding_id() << " of fund "
                                       << got.fund_id() << "; fund 101's was " << lost.id;
  EXPECT_EQ(got.fund_id(), 102);

  // Still open: it ends only because the client cancels it, not for the lost fund.
  watch->ctx.TryCancel();
  EXPECT_FALSE(watch->reader->Read(&got));
  EXPECT_EQ(watch->reader->Finish().error_code(), Code::CANCELLED);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(FindingServiceTest);

// The same service polling often: a finding stored by another process (no notifier call)
// still reaches an open stream.
class FindingPollingTest : public FindingServiceTest {
 protected:
  absl::Duration PollInterval() const override { return absl::Milliseconds(100); }
};

TEST_P(FindingPollingTest, FindingOfAnotherReplicaArrivesByPolling) {
  auto watch = StartWatch(analyst_, v1::WatchFindingsRequest());
  Finding f;
  f.rule = "QUARANTINED_FEED";
  f.severity = FindingSeverity::kCritical;
  f.reference_date = Date(2026, 11, 24);
  f.message = "positions feed returned nothing";
  f.dedup_key = "feed";
  f.raised_at = server_->clock().Now();
  auto stored = server_->store().RaiseFinding(f);  // bypasses the notifier
  ASSERT_TRUE(stored.ok()) << stored.status();
  v1::Finding got;
  ASSERT_TRUE(watch->reader->Read(&got));
  EXPECT_EQ(got.finding_id(), stored->id);
  EXPECT_EQ(got.fund_id(), 0);
  watch->ctx.TryCancel();
  watch->reader->Finish();
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(FindingPollingTest);

}  // namespace
}  // namespace riskcap::server
