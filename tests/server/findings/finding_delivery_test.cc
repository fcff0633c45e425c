// Delivery of new CRITICAL findings (server/findings/finding_delivery.cc, RISKCAP_NOTIFY_CRITICAL_FINDINGS)
// on both backends: a margin_status run that raises one queues a delivery per contact of the
// fund's manager in the finding's transaction, which the real delivery worker sends to a real
// SMTP server (tests/testing/smtp_sink.py); re-runs, non-CRITICAL findings and the setting off
// queue nothing.
#include "server/findings/finding_delivery.h"

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/clock.h"
#include "gtest/gtest.h"
#include "server/delivery/delivery_notice.h"
#include "server/delivery/delivery_worker.h"
#include "server/jobs/margin_status_job.h"
#include "tests/testing/python_sink.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

using server::FindingDelivery;
using server::jobs::JobContext;

constexpr Date kRef(2026, 11, 24);
constexpr int64_t kCriticalFund = 1001;  // manager 1, NAV below zero: NAV_CRITICAL
constexpr int64_t kWarnedFund = 1002;    // manager 2, never submitted: a WARNING only

absl::Time At(Date day, int hour) {
  return absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), hour),
                         absl::UTCTimeZone());
}

class FindingDeliveryTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    Check(store().CreateManager({1, "Gestora Alfa", "11111111000191"}).status());
    Check(store().CreateManager({2, "Gestora Beta", "22222222000191"}).status());
    ManagerContacts alpha;
    alpha.emails = {"risk@alpha.example.com", "ops@alpha.example.com"};
    Check(store().SetManagerContacts(1, alpha));
    ManagerContacts beta;
    beta.emails = {"risk@beta.example.com"};
    Check(store().SetManagerContacts(2, beta));
    WriteFundWithNav(kCriticalFund, 1, "Fundo Crítico", -5'000'000'000LL);
    WriteFundWithNav(kWarnedFund, 2, "Fundo Atrasado", 900'000'000'000'000LL);
    WriteSnapshots();
  }

  void Check(const absl::Status& st) { ASSERT_TRUE(st.ok()) << st; }

  // An exposed OTC multimercado fund (capped at 70%) with one swap and a NAV of `nav_micros`.
  void WriteFundWithNav(int64_t id, int64_t manager, const std::string& name, int64_t nav_micros) {
    Fund f;
    f.id = id;
    f.name = name;
    f.tax_id = absl::StrCat(50000000000100 + id);
    f.manager_id = manager;
    f.regulatory_class = RegulatoryClass::kMultimercado;
    f.target_audience = TargetAudience::kGeneral;
    Check(store().CreateFund(f));
    FundExposure e;
    e.fund_id = id;
    e.position_date = kRef;
    e.otc = true;
    exposures_.push_back(e);
    Position p;
    p.fund_id = id;
    p.position_date = kRef;
    p.asset_code = absl::StrCat("SWP", id);
    p.classification = PositionClassification::kOtcSwap;
    p.notional = Money::FromMicros(10'000'000'000LL);
    p.market_value = Money::FromMicros(0);
    p.asset_class = OtcAssetClass::kInterestRate;
    p.end_date = kRef + 365;
    p.direction = "LONG";
    p.currency = "BRL";
    positions_.push_back(p);
    NavSnapshot n;
    n.fund_id = id;
    n.position_date = kRef;
    n.nav = Money::FromMicros(nav_micros);
    navs_.push_back(n);
  }

  db::NewVersion Version(std::string hash) {
    db::NewVersion v;
    v.reference_date = kRef;
    v.content_hash = std::move(hash);
    v.source = "test";
    return v;
  }

  void WriteSnapshots() {
    auto batch = store().WritePositions(Version("positions"), positions_);
    ASSERT_TRUE(batch.ok()) << batch.status();
    db::NewVersion exposure = Version("exposure");
    exposure.source_version_id = batch->id;
    Check(store().WriteExposure(exposure, exposures_).status());
    Check(store().WriteNavSnapshot(Version("navs"), navs_).status());
  }

  void RunMarginStatus(FindingDelivery delivery) {
    JobContext ctx(store(), clock_, rules_, 0, "margin_status", kRef, {}, {}, delivery);
    auto out = server::jobs::MakeMarginStatusJob()->Run(ctx);
    ASSERT_TRUE(out.ok()) << out.status();
  }

  std::vector<Finding> Findings() {
    auto found = store().ListFindings({}, db::Page{0, 1000});
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *found : std::vector<Finding>{};
  }

  // The one finding of `rule`; fails the test unless there is exactly one.
  Finding Only(const std::string& rule) {
    std::vector<Finding> matching;
    for (const Finding& f : Findings()) {
      if (f.rule == rule) matching.push_back(f);
    }
    EXPECT_EQ(matching.size(), 1u) << rule;
    return matching.empty() ? Finding{} : matching.front();
  }

  std::vector<Delivery> DeliveriesOf(const std::vector<Finding>& findings) {
    std::vector<int64_t> ids;
    for (const Finding& f : findings) ids.push_back(f.id);
    auto found = store().ListDeliveries(DeliverySource::kFinding, ids);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *found : std::vector<Delivery>{};
  }

  // Every delivery in the outbox, whatever its source.
  int64_t QueuedDeliveries() {
    auto counts = store().CountDeliveriesByState();
    EXPECT_TRUE(counts.ok()) << counts.status();
    int64_t total = 0;
    if (counts.ok()) {
      for (const auto& [state, n] : *counts) total += n;
    }
    return total;
  }

  FakeClock clock_{At(kRef, 20)};
  rules::RulesConfig rules_;
  std::vector<FundExposure> exposures_;
  std::vector<Position> positions_;
  std::vector<NavSnapshot> navs_;
};

TEST_P(FindingDeliveryTest, ANewCriticalFindingQueuesOneDeliveryPerAddressOfItsManager) {
  RunMarginStatus(FindingDelivery::kCritical);
  const Finding critical = Only("NAV_CRITICAL");
  ASSERT_EQ(critical.severity, FindingSeverity::kCritical);
  ASSERT_EQ(critical.fund_id, kCriticalFund);
  const std::vector<Delivery> queued = DeliveriesOf({critical});
  std::set<std::string> addresses;
  for (const Delivery& d : queued) {
    addresses.insert(d.address);
    EXPECT_EQ(d.manager_id, 1);
    EXPECT_EQ(d.channel, DeliveryChannel::kEmail);
    EXPECT_EQ(d.state, DeliveryState::kPending);
    EXPECT_EQ(d.message_id, server::FindingMessageId(critical));
    EXPECT_EQ(d.subject, "CRITICAL finding NAV_CRITICAL for fund 1001 on 2026-11-24");
    for (const std::string& part : {std::string("fund 1001 Fundo Crítico"),
                                    std::string("Rule:    NAV_CRITICAL"),
                                    std::string("Date:    2026-11-24"), critical.message}) {
      EXPECT_TRUE(absl::StrContains(d.body, part)) << part << " missing from " << d.body;
    }
  }
  EXPECT_EQ(queued.size(), 2u);
  EXPECT_EQ(addresses, (std::set<std::string>{"risk@alpha.example.com", "ops@alpha.example.com"}));
  EXPECT_EQ(QueuedDeliveries(), 2);  // nothing for manager 2, nothing else at all
}

TEST_P(FindingDeliveryTest, NonCriticalFindingsQueueNothing) {
  RunMarginStatus(FindingDelivery::kCritical);
  std::vector<Finding> others;
  for (const Finding& f : Findings()) {
    if (f.severity != FindingSeverity::kCritical) others.push_back(f);
  }
  bool warned_fund_seen = false;
  for (const Finding& f : others) warned_fund_seen |= f.fund_id == kWarnedFund;
  ASSERT_TRUE(warned_fund_seen) << "fund 1002 should have raised a WARNING";
  EXPECT_TRUE(DeliveriesOf(others).empty());
  // Only the CRITICAL finding's two e-mails are queued; manager 2 gets nothing.
  EXPECT_EQ(QueuedDeliveries(), 2);
}

TEST_P(FindingDeliveryTest, ARerunOfTheSameDateQueuesNothingMore) {
  RunMarginStatus(FindingDelivery::kCritical);
  const std::vector<Delivery> first = DeliveriesOf({Only("NAV_CRITICAL")});
  ASSERT_EQ(first.size(), 2u);
  clock_.Advance(absl::Hours(1));
  RunMarginStatus(FindingDelivery::kCritical);
  const std::vector<Delivery> second = DeliveriesOf({Only("NAV_CRITICAL")});
  ASSERT_EQ(second.size(), 2u);
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(second[i].id, first[i].id);
  EXPECT_EQ(QueuedDeliveries(), 2);
}

TEST_P(FindingDeliveryTest, NothingIsQueuedWhenTurnedOff) {
  RunMarginStatus(FindingDelivery::kNone);
  const Finding critical = Only("NAV_CRITICAL");
  EXPECT_EQ(critical.severity, FindingSeverity::kCritical);
  EXPECT_EQ(QueuedDeliveries(), 0);
  // Turned on later, the finding already open is not delivered after the fact.
  RunMarginStatus(FindingDelivery::kCritical);
  EXPECT_EQ(QueuedDeliveries(), 0);
}

TEST_P(FindingDeliveryTest, AWebhookGetsTheFindingAsJson) {
  ManagerContacts hook;
  hook.webhook_url = "http://127.0.0.1:9/riskcap";
  hook.webhook_secret = "webhook-secret-0123456789";
  Check(store().SetManagerContacts(1, hook));
  RunMarginStatus(FindingDelivery::kCritical);
  const Finding critical = Only("NAV_CRITICAL");
  const std::vector<Delivery> queued = DeliveriesOf({critical});
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].channel, DeliveryChannel::kWebhook);
  auto body = nlohmann::json::parse(queued[0].body);
  EXPECT_EQ(body["type"], "finding");
  EXPECT_EQ(body["finding_id"], critical.id);
  EXPECT_EQ(body["manager_id"], 1);
  EXPECT_EQ(body["fund_id"], kCriticalFund);
  EXPECT_EQ(body["fund_name"], "Fundo Crítico");
  EXPECT_EQ(body["rule"], "NAV_CRITICAL");
  EXPECT_EQ(body["severity"], "CRITICAL");
  EXPECT_EQ(body["reference_date"], "2026-11-24");
  EXPECT_EQ(body["message"], critical.message);
  EXPECT_EQ(body["message_id"], queued[0].message_id);
}

TEST_P(FindingDeliveryTest, TheRealSmtpServerGetsOneMessagePerAddress) {
  auto sink = PythonSink::Start("smtp_sink.py", {});
  ASSERT_TRUE(sink);
  RunMarginStatus(FindingDelivery::kCritical);
  const Finding critical = Only("NAV_CRITICAL");
  server::DeliveryConfig config;
  config.smtp_url = absl::StrCat("smtp://127.0.0.1:", sink->port());
  config.smtp_from = "riskcap@administrator.example.com";
  auto smtp = server::SmtpSender::Create(config, absl::Seconds(10));
  ASSERT_TRUE(smtp.ok()) << smtp.status();
  server::DeliveryWorker worker(store(), clock_, config,
                                std::make_unique<server::SmtpSender>(std::move(*smtp)),
                                "finding-delivery-test");
  ASSERT_TRUE(WaitFor([&] {
    EXPECT_TRUE(worker.RunOnce().ok());
    const std::vector<Delivery> now = DeliveriesOf({critical});
    return now.size() == 2 && now[0].state == DeliveryState::kSent &&
           now[1].state == DeliveryState::kSent;
  }));
  ASSERT_TRUE(WaitFor([&] { return sink->Files("msg-").size() >= 2; }));
  const auto messages = sink->Files("msg-");
  ASSERT_EQ(messages.size(), 2u);
  std::set<std::string> recipients;
  for (const auto& [name, text] : messages) {
    recipients.insert(MailHeader(text, "X-Rcpt"));
    EXPECT_EQ(MailHeader(text, "Message-ID"), server::FindingMessageId(critical));
    EXPECT_EQ(MailHeader(text, "Subject"),
              "CRITICAL finding NAV_CRITICAL for fund 1001 on 2026-11-24");
    EXPECT_TRUE(absl::StrContains(text, "Fundo Crítico")) << text;
    EXPECT_TRUE(absl::StrContains(text, critical.message)) << text;
  }
  EXPECT_EQ(recipients,
            (std::set<std::string>{"risk@alpha.example.com", "ops@alpha.example.com"}));
  // A re-run of the date sends nothing more.
  RunMarginStatus(FindingDelivery::kCritical);
  auto attempted = worker.RunOnce();
  ASSERT_TRUE(attempted.ok()) << attempted.status();
  EXPECT_EQ(*attempted, 0);
  EXPECT_EQ(sink->Files("msg-").size(), 2u);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(FindingDeliveryTest);

}  // namespace
}  // namespace riskcap::testing
