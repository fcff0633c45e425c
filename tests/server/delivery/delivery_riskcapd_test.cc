// Reminders that are delivered, against the real riskcapd: the pipeline over the simulated
// upstream queues a delivery per (reminder, address), and riskcapd's worker sends each exactly
// once to a real SMTP server (aiosmtpd) or a local webhook receiver that verifies the signature
// (tests/testing/smtp_sink.py, webhook_sink.py) — across re-runs, a SIGKILL, and two replicas —
// and counts each attempt on its metrics endpoint.
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "riskcap/v1/finding.grpc.pb.h"
#include "riskcap/v1/job.grpc.pb.h"
#include "tests/testing/feed_test_support.h"
#include "tests/testing/metrics_scrape.h"
#include "tests/testing/python_sink.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/test_server.h"

namespace riskcap::testing {
namespace {

constexpr char kSecret[] = "webhook-secret-0123456789";

std::string DeliveriesSeries(const std::string& channel, const std::string& state) {
  return absl::StrCat("riskcap_deliveries_total{channel=\"", channel, "\",state=\"", state,
                      "\"}");
}

// The label matchers (name, value) of the riskcap_deliveries_total selector in the expression of
// the alert rule `alert` that docs/operations.md documents.
std::vector<std::pair<std::string, std::string>> DocumentedAlertMatchers(const std::string& alert) {
  std::ifstream in(std::string(RISKCAP_SOURCE_DIR) + "/docs/operations.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const size_t rule = doc.find("- alert: " + alert + "\n");
  EXPECT_NE(rule, std::string::npos) << alert << " is not documented";
  if (rule == std::string::npos) return {};
  const size_t expr = doc.find("expr:", rule);
  const std::string line = doc.substr(expr, doc.find('\n', expr) - expr);
  std::smatch selector;
  EXPECT_TRUE(std::regex_search(line, selector, std::regex(R"(riskcap_deliveries_total\{([^}]*)\})")))
      << line;
  std::vector<std::pair<std::string, std::string>> matchers;
  const std::string labels = selector[1];
  const std::regex matcher(R"re(([a-z_]+)="([^"]*)")re");
  for (auto it = std::sregex_iterator(labels.begin(), labels.end(), matcher);
       it != std::sregex_iterator(); ++it) {
    matchers.emplace_back((*it)[1], (*it)[2]);
  }
  EXPECT_FALSE(matchers.empty()) << line;
  return matchers;
}

// Runs the pipeline for 2026-11-20 and waits for it to succeed.
void RunPipeline(const std::string& address, const std::string& secret, const std::string& id) {
  auto stub = v1::JobService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::RunPipelineRequest run;
  run.set_request_id(id);
  run.set_reference_date("2026-11-20");
  v1::JobRun pipeline;
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, secret);
  grpc::Status st = stub->RunPipeline(&ctx, run, &pipeline);
  ASSERT_TRUE(st.ok()) << st.error_message();
  grpc::ClientContext watch_ctx;
  TestServer::Authorize(watch_ctx, secret);
  v1::WatchJobRunRequest watch;
  watch.set_job_run_id(pipeline.job_run_id());
  auto reader = stub->WatchJobRun(&watch_ctx, watch);
  v1::JobRun update, last;
  while (reader->Read(&update)) {
    if (update.job_run_id() == pipeline.job_run_id()) last = update;
  }
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_EQ(last.state(), v1::JOB_RUN_STATE_SUCCEEDED) << last.error_message();
}

std::vector<v1::Reminder> Reminders(const std::string& address, const std::string& secret) {
  auto stub = v1::FindingService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, secret);
  v1::ListRemindersRequest request;
  request.set_page_size(1000);
  v1::ListRemindersResponse response;
  grpc::Status st = stub->ListReminders(&ctx, request, &response);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return {response.reminders().begin(), response.reminders().end()};
}

int CountDeliveries(const std::vector<v1::Reminder>& reminders, v1::DeliveryState state) {
  int n = 0;
  for (const auto& r : reminders) {
    for (const auto& d : r.deliveries()) n += d.state() == state ? 1 : 0;
  }
  return n;
}

int TotalDeliveries(const std::vector<v1::Reminder>& reminders) {
  int n = 0;
  for (const auto& r : reminders) n += r.deliveries_size();
  return n;
}

// The fund ids a reminder lists ("- fund 1003 ...").
std::vector<std::string> FundIds(const std::string& text) {
  std::vector<std::string> ids;
  for (size_t at = text.find("- fund "); at != std::string::npos;
       at = text.find("- fund ", at + 1)) {
    const size_t begin = at + 7;
    ids.push_back(text.substr(begin, text.find_first_of(" :", begin) - begin));
  }
  return ids;
}

class DeliveryRiskcapd : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    sim_ = std::move(UpstreamSim::Start({"--seed", "7", "--funds", "40"}).value());
    auto prepared = PrepareDaemonStore(GetParam(), "delivery");
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    daemon_ = std::move(*prepared);
    ManagerContacts alpha;
    alpha.emails = {"risk@alpha.example.com", "ops@alpha.example.com"};
    ASSERT_TRUE(daemon_.store->SetManagerContacts(1, alpha).ok());
    ManagerContacts beta;
    beta.emails = {"risk@beta.example.com"};
    ASSERT_TRUE(daemon_.store->SetManagerContacts(2, beta).ok());
  }

  std::map<std::string, std::string> Env(int smtp_port) const {
    return {{"RISKCAP_DB", daemon_.scratch->url()},
            {"RISKCAP_JOB_WORKERS", "1"},
            {"RISKCAP_SOURCE", sim_->url()},
            {"RISKCAP_SMTP_URL", absl::StrCat("smtp://127.0.0.1:", smtp_port)},
            {"RISKCAP_SMTP_FROM", "riskcap@administrator.example.com"},
            {"RISKCAP_DELIVERY_POLL_MS", "100"},
            {"RISKCAP_DELIVERY_BACKOFF_MS", "50"},
            {"RISKCAP_DELIVERY_LEASE_SECONDS", "4"}};
  }

  std::unique_ptr<RiskcapdProcess> Start(std::map<std::string, std::string> env) {
    auto proc = RiskcapdProcess::Start({.env = std::move(env)});
    EXPECT_TRUE(proc.ok()) << proc.status();
    return proc.ok() ? std::move(*proc) : nullptr;
  }

  // Every e-mail delivery is SENT and `sink` holds exactly one message per (address,
  // Message-ID), listing the reminder's funds.
  void ExpectEachAddressMailedOnce(const PythonSink& sink, const std::string& address) {
    std::vector<v1::Reminder> reminders;
    ASSERT_TRUE(WaitFor([&] {
      reminders = Reminders(address, daemon_.secret);
      return CountDeliveries(reminders, v1::DELIVERY_STATE_SENT) == TotalDeliveries(reminders);
    })) << "deliveries not all SENT";
    const int expected = TotalDeliveries(reminders);
    ASSERT_GT(expected, 3);
    auto messages = sink.Files("msg-");
    ASSERT_EQ(messages.size(), static_cast<size_t>(expected));
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& [name, text] : messages) {
      const std::string to = MailHeader(text, "X-Rcpt"), id = MailHeader(text, "Message-ID");
      EXPECT_TRUE(seen.insert({to, id}).second) << "duplicate " << to << " " << id;
      const v1::Reminder* reminder = nullptr;
      for (const auto& r : reminders) {
        if (absl::StrContains(id, r.content_hash())) reminder = &r;
      }
      ASSERT_NE(reminder, nullptr) << id;
      for (const std::string& fund : FundIds(reminder->body())) {
        const size_t at = text.find(absl::StrCat("- fund ", fund, " "));
        ASSERT_NE(at, std::string::npos) << fund << " missing from " << text;
        const std::string line = text.substr(at, text.find('\n', at) - at);
        EXPECT_TRUE(absl::StrContains(line, "never submitted") ||
                    (absl::StrContains(line, ", due ") && absl::StrContains(line, "days late")))
            << line;
      }
    }
    // Manager 1 has two addresses: each got its own copy of each of its reminders.
    int alpha_reminders = 0;
    for (const auto& r : reminders) {
      if (r.manager_id() != 1) continue;
      ++alpha_reminders;
      ASSERT_EQ(r.deliveries_size(), 2);
      for (const char* to : {"risk@alpha.example.com", "ops@alpha.example.com"}) {
        EXPECT_EQ(seen.count({to, r.deliveries(0).message_id()}), 1u) << to;
      }
    }
    EXPECT_GT(alpha_reminders, 0);
  }

  std::unique_ptr<UpstreamSim> sim_;
  DaemonStore daemon_;
};

TEST_P(DeliveryRiskcapd, MailsEachAddressOnceAndNothingMoreWhenThePipelineRunsAgain) {
  auto sink = PythonSink::Start("smtp_sink.py", {});
  ASSERT_TRUE(sink);
  daemon_.store.reset();
  auto proc = Start(Env(sink->port()));
  ASSERT_TRUE(proc);
  RunPipeline(proc->address(), daemon_.secret, "deliver-1");
  ExpectEachAddressMailedOnce(*sink, proc->address());
  // The simulated upstream's managers came with a contact address (registry sync).
  bool upstream_contact = false;
  for (const auto& [name, text] : sink->Files("msg-")) {
    upstream_contact |= absl::StrContains(MailHeader(text, "X-Rcpt"), "@manager-");
  }
  EXPECT_TRUE(upstream_contact);

  const size_t before = sink->Files("msg-").size();
  const int deliveries = TotalDeliveries(Reminders(proc->address(), daemon_.secret));
  RunPipeline(proc->address(), daemon_.secret, "deliver-2");
  auto after = Reminders(proc->address(), daemon_.secret);
  EXPECT_EQ(TotalDeliveries(after), deliveries);  // nothing new queued, so nothing to send
  EXPECT_EQ(CountDeliveries(after, v1::DELIVERY_STATE_PENDING), 0);
  EXPECT_EQ(sink->Files("msg-").size(), before);
}

TEST_P(DeliveryRiskcapd, ASigkillDuringDeliveryNeitherDuplicatesNorLosesAMessage) {
  // Each DATA is held half a second, so the kill lands while a message is in flight.
  auto sink = PythonSink::Start("smtp_sink.py", {"--data-delay", "0.5"});
  ASSERT_TRUE(sink);
  daemon_.store.reset();
  auto proc = Start(Env(sink->port()));
  ASSERT_TRUE(proc);
  RunPipeline(proc->address(), daemon_.secret, "deliver-kill");
  ASSERT_TRUE(WaitFor([&] { return !sink->Files("data-2").empty(); }));
  proc->Signal(SIGKILL);
  ASSERT_TRUE(proc->Wait().ok());
  const size_t before_restart = sink->Files("msg-").size();
  EXPECT_GE(before_restart, 1u);
  proc = Start(Env(sink->port()));
  ASSERT_TRUE(proc);
  ExpectEachAddressMailedOnce(*sink, proc->address());
}

TEST_P(DeliveryRiskcapd, ATemporaryRefusalIsRetriedAfterItsBackoff) {
  auto sink = PythonSink::Start("smtp_sink.py", {"--tempfail", "1"});
  ASSERT_TRUE(sink);
  daemon_.store.reset();
  auto proc = Start(Env(sink->port()));
  ASSERT_TRUE(proc);
  RunPipeline(proc->address(), daemon_.secret, "deliver-temp");
  ExpectEachAddressMailedOnce(*sink, proc->address());
  int retried = 0;
  for (const auto& r : Reminders(proc->address(), daemon_.secret)) {
    for (const auto& d : r.deliveries()) retried += d.attempts() == 2 ? 1 : 0;
  }
  EXPECT_EQ(retried, 1);  // the one the server refused with 451, then accepted
}

TEST_P(DeliveryRiskcapd, APermanentRefusalFailsWithTheReplyAndRetryRequeuesIt) {
  auto sink = PythonSink::Start("smtp_sink.py", {"--reject"});
  ASSERT_TRUE(sink);
  auto analyst = CreateDaemonKey(daemon_, Role::kAnalyst);
  ASSERT_TRUE(analyst.ok()) << analyst.status();
  daemon_.store.reset();
  auto proc = Start(Env(sink->port()));
  ASSERT_TRUE(proc);
  RunPipeline(proc->address(), daemon_.secret, "deliver-reject");
  std::vector<v1::Reminder> reminders;
  ASSERT_TRUE(WaitFor([&] {
    reminders = Reminders(proc->address(), daemon_.secret);
    return TotalDeliveries(reminders) > 0 &&
           CountDeliveries(reminders, v1::DELIVERY_STATE_FAILED) == TotalDeliveries(reminders);
  }));
  int64_t failed_id = 0, first_attempt_seconds = 0;
  int first_attempt_nanos = 0;
  for (const auto& r : reminders) {
    for (const auto& d : r.deliveries()) {
      EXPECT_EQ(d.attempts(), 1) << "a permanent refusal is not retried";
      EXPECT_TRUE(absl::StrContains(d.last_error(), "550 5.1.1")) << d.last_error();
      failed_id = d.delivery_id();
      first_attempt_seconds = d.last_attempt_time().seconds();
      first_attempt_nanos = d.last_attempt_time().nanos();
    }
  }
  EXPECT_TRUE(sink->Files("msg-").empty());

  auto stub = v1::FindingService::NewStub(
      grpc::CreateChannel(proc->address(), grpc::InsecureChannelCredentials()));
  v1::RetryDeliveryRequest retry;
  retry.set_request_id("retry-1");
  retry.set_delivery_id(failed_id);
  v1::Delivery requeued;
  {
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, daemon_.secret);  // a SERVICE key may not
    EXPECT_EQ(stub->RetryDelivery(&ctx, retry, &requeued).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, *analyst);
  grpc::Status st = stub->RetryDelivery(&ctx, retry, &requeued);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(requeued.delivery_id(), failed_id);
  EXPECT_EQ(requeued.state(), v1::DELIVERY_STATE_PENDING);
  EXPECT_EQ(requeued.attempts(), 0);
  // Requeued, it is attempted again (and refused again by this server).
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& r : Reminders(proc->address(), daemon_.secret)) {
      for (const auto& d : r.deliveries()) {
        if (d.delivery_id() != failed_id) continue;
        const bool again = d.last_attempt_time().seconds() != first_attempt_seconds ||
                           d.last_attempt_time().nanos() != first_attempt_nanos;
        return again && d.state() == v1::DELIVERY_STATE_FAILED && d.attempts() == 1;
      }
    }
    return false;
  }));
}

TEST_P(DeliveryRiskcapd, WebhooksArriveSignedOnceEvenAfterAServerError) {
  auto hooks = PythonSink::Start("webhook_sink.py", {"--secret", kSecret, "--fail-first", "1"});
  ASSERT_TRUE(hooks);
  ManagerContacts alpha;
  alpha.webhook_url = absl::StrCat("http://127.0.0.1:", hooks->port(), "/riskcap");
  alpha.webhook_secret = kSecret;
  ASSERT_TRUE(daemon_.store->SetManagerContacts(1, alpha).ok());
  ManagerContacts none;
  ASSERT_TRUE(daemon_.store->SetManagerContacts(2, none).ok());
  daemon_.store.reset();
  auto env = Env(1);
  env.erase("RISKCAP_SMTP_URL");  // webhooks only: e-mail deliveries (upstream managers) wait
  env["RISKCAP_METRICS_LISTEN"] = "0";
  auto proc = Start(env);
  ASSERT_TRUE(proc);
  const std::string metrics = MetricsAddress(proc->Stderr());
  ASSERT_FALSE(metrics.empty()) << proc->Stderr();
  RunPipeline(proc->address(), daemon_.secret, "hook-1");
  ASSERT_TRUE(WaitFor([&] { return hooks->Files("hook-").size() >= 1; }));
  RunPipeline(proc->address(), daemon_.secret, "hook-2");
  int webhook_deliveries = 0;
  ASSERT_TRUE(WaitFor([&] {
    webhook_deliveries = 0;
    for (const auto& r : Reminders(proc->address(), daemon_.secret)) {
      for (const auto& d : r.deliveries()) {
        if (d.channel() != "WEBHOOK") continue;
        ++webhook_deliveries;
        if (d.state() != v1::DELIVERY_STATE_SENT) return false;
        EXPECT_EQ(d.attempts(), 2);  // the receiver's 503, then accepted
      }
    }
    return webhook_deliveries > 0;
  }));
  auto received = hooks->Files("hook-");
  EXPECT_EQ(received.size(), static_cast<size_t>(webhook_deliveries));
  EXPECT_TRUE(hooks->Files("bad-").empty()) << "a signature did not verify";
  for (const auto& [name, text] : received) {
    EXPECT_TRUE(absl::StrContains(text, "\"type\":\"reminder\"")) << text;
    EXPECT_TRUE(absl::StrContains(text, "\"days_late\"")) << text;
  }
  // Counted by the lower-case channel: each 503 a RETRY, each acceptance a SENT; the waiting
  // e-mail deliveries were never attempted.
  const std::string exposition = ScrapeMetrics(metrics);
  EXPECT_EQ(SampleValue(exposition, DeliveriesSeries("webhook", "SENT")), webhook_deliveries)
      << exposition;
  EXPECT_EQ(SampleValue(exposition, DeliveriesSeries("webhook", "RETRY")), webhook_deliveries)
      << exposition;
  EXPECT_EQ(exposition.find("riskcap_deliveries_total{channel=\"email\""), std::string::npos)
      << exposition;
}

// Two servers on one store (a PostgreSQL database, or one SQLite file): each delivery is
// claimed by one of them only.
TEST_P(DeliveryRiskcapd, TwoReplicasOnOneStoreDeliverEachItemOnce) {
  auto sink = PythonSink::Start("smtp_sink.py", {"--data-delay", "0.1"});
  ASSERT_TRUE(sink);
  daemon_.store.reset();
  auto first = Start(Env(sink->port()));
  auto second = Start(Env(sink->port()));
  ASSERT_TRUE(first && second);
  RunPipeline(first->address(), daemon_.secret, "replicas");
  ExpectEachAddressMailedOnce(*sink, second->address());
}

// riskcap_deliveries_total counts what the worker did, by the lower-case channel: one SENT per
// message delivered and one RETRY for the temporary refusal sent back to PENDING.
TEST_P(DeliveryRiskcapd, MetricsCountEachAttemptByChannelAndOutcome) {
  auto sink = PythonSink::Start("smtp_sink.py", {"--tempfail", "1"});
  ASSERT_TRUE(sink);
  daemon_.store.reset();
  auto env = Env(sink->port());
  env["RISKCAP_METRICS_LISTEN"] = "0";
  auto proc = Start(env);
  ASSERT_TRUE(proc);
  const std::string metrics = MetricsAddress(proc->Stderr());
  ASSERT_FALSE(metrics.empty()) << proc->Stderr();
  EXPECT_EQ(SampleValue(ScrapeMetrics(metrics), DeliveriesSeries("email", "SENT")), -1)
      << "nothing is counted before anything is attempted";
  RunPipeline(proc->address(), daemon_.secret, "deliver-metrics");
  ExpectEachAddressMailedOnce(*sink, proc->address());
  const int sent = TotalDeliveries(Reminders(proc->address(), daemon_.secret));
  // The worker counts an attempt before it records it: once every delivery reads SENT, each
  // attempt has been counted.
  const std::string text = ScrapeMetrics(metrics);
  EXPECT_EQ(SampleValue(text, DeliveriesSeries("email", "SENT")), sent) << text;
  EXPECT_EQ(SampleValue(text, DeliveriesSeries("email", "RETRY")), 1) << text;
  EXPECT_EQ(SampleValue(text, DeliveriesSeries("email", "FAILED")), -1) << text;
  EXPECT_EQ(text.find("riskcap_deliveries_total{channel=\"webhook\""), std::string::npos);
  EXPECT_EQ(text.find("channel=\"EMAIL\""), std::string::npos);
}

// A delivery given up on counts FAILED, under labels the documented alert RiskcapDeliveryFailures
// (docs/operations.md) selects.
TEST_P(DeliveryRiskcapd, AFailedDeliveryCountsUnderTheDocumentedAlertsLabels) {
  auto sink = PythonSink::Start("smtp_sink.py", {"--reject"});
  ASSERT_TRUE(sink);
  daemon_.store.reset();
  auto env = Env(sink->port());
  env["RISKCAP_METRICS_LISTEN"] = "0";
  auto proc = Start(env);
  ASSERT_TRUE(proc);
  const std::string metrics = MetricsAddress(proc->Stderr());
  ASSERT_FALSE(metrics.empty()) << proc->Stderr();
  RunPipeline(proc->address(), daemon_.secret, "deliver-metrics-fail");
  std::vector<v1::Reminder> reminders;
  ASSERT_TRUE(WaitFor([&] {
    reminders = Reminders(proc->address(), daemon_.secret);
    return TotalDeliveries(reminders) > 0 &&
           CountDeliveries(reminders, v1::DELIVERY_STATE_FAILED) == TotalDeliveries(reminders);
  }));
  const int failed = TotalDeliveries(reminders);
  const std::string text = ScrapeMetrics(metrics);
  EXPECT_EQ(SampleValue(text, DeliveriesSeries("email", "FAILED")), failed) << text;
  EXPECT_EQ(SampleValue(text, DeliveriesSeries("email", "SENT")), -1) << text;
  // Every series the alert's selector matches, summed as its expression does: all the failures.
  const auto matchers = DocumentedAlertMatchers("RiskcapDeliveryFailures");
  ASSERT_FALSE(matchers.empty());
  double selected = 0;
  for (const char* channel : {"email", "webhook"}) {
    for (const char* state : {"SENT", "RETRY", "FAILED"}) {
      const std::map<std::string, std::string> labels = {{"channel", channel}, {"state", state}};
      bool matches = true;
      for (const auto& [name, value] : matchers) {
        auto label = labels.find(name);
        matches = matches && label != labels.end() && label->second == value;
      }
      const double value = SampleValue(text, DeliveriesSeries(channel, state));
      if (matches && value > 0) selected += value;
    }
  }
  EXPECT_EQ(selected, failed) << "the alert selects labels the server does not emit";
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(DeliveryRiskcapd);

}  // namespace
}  // namespace riskcap::testing
