// The metrics endpoint of the real riskcapd, checked by the real Prometheus tools: after calls the
// test makes, the endpoint's output passes `promtool check metrics` and counts them, and a
// Prometheus server scraping riskcapd returns that count from its query API. Debian's
// `prometheus` package provides both tools (scripts/deps); without it these tests fail.
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "tests/testing/metrics_scrape.h"
#include "tests/testing/python_sink.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/subprocess.h"

namespace riskcap {
namespace {

using ::testing::HasSubstr;
using testing::MetricsAddress;
using testing::RiskcapdProcess;
using testing::SampleValue;

constexpr char kPromtool[] = "/usr/bin/promtool";
constexpr char kPrometheus[] = "/usr/bin/prometheus";

// `promtool check metrics` accepts the exposition `text` (written to `file` for it).
void ExpectPromtoolAccepts(const std::string& text, const std::string& file) {
  std::ofstream(file) << text;
  std::string err;
  auto checked = testing::RunCommand(
      {"/bin/sh", "-c", absl::StrCat(kPromtool, " check metrics < '", file, "'")}, {}, &err);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->first, 0) << "promtool: " << checked->second << err << "\n" << text;
}

// A directory of its own, removed with its content.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "riskcap_metrics_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

grpc::Status ListFunds(const std::shared_ptr<grpc::Channel>& channel, const std::string& secret) {
  grpc::ClientContext ctx;
  if (!secret.empty()) ctx.AddMetadata("authorization", "Bearer " + secret);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListFundsResponse response;
  return v1::FundService::NewStub(channel)->ListFunds(&ctx, v1::ListFundsRequest(), &response);
}

class MetricsPrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Missing tools are a failure, not a skip: CI must run these checks.
    for (const char* tool : {kPromtool, kPrometheus}) {
      ASSERT_TRUE(std::filesystem::exists(tool)) << tool << ": install Debian's prometheus "
                                                 << "(scripts/deps)";
    }
    auto prepared = testing::PrepareDaemonStore(db::Backend::kSqlite, "metrics-test");
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    daemon_store_ = std::move(*prepared);
    auto admin = testing::CreateDaemonKey(daemon_store_, Role::kAdmin);
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_secret_ = *admin;
    const std::string url = daemon_store_.scratch->url();
    daemon_store_.store.reset();
    // A bare port: the endpoint binds loopback, on a free port (0).
    auto proc = RiskcapdProcess::Start(
        {.env = {{"RISKCAP_DB", url}, {"RISKCAP_METRICS_LISTEN", "0"}}});
    ASSERT_TRUE(proc.ok()) << proc.status();
    riskcapd_ = std::move(*proc);
    metrics_address_ = MetricsAddress(riskcapd_->Stderr());
    ASSERT_THAT(metrics_address_, ::testing::StartsWith("127.0.0.1:")) << riskcapd_->Stderr();
    channel_ = grpc::CreateChannel(riskcapd_->address(), grpc::InsecureChannelCredentials());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(ListFunds(channel_, daemon_store_.secret).ok());
    EXPECT_EQ(ListFunds(channel_, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }

  testing::DaemonStore daemon_store_;
  std::string admin_secret_;
  std::unique_ptr<RiskcapdProcess> riskcapd_;
  std::string metrics_address_;
  std::shared_ptr<grpc::Channel> channel_;
  TempDir dir_;
};

TEST_F(MetricsPrometheusTest, EndpointPassesPromtoolAndCountsTheCalls) {
  const std::string text = testing::ScrapeMetrics(metrics_address_);
  EXPECT_THAT(text, HasSubstr("riskcap_rpc_requests_total{method=\"FundService/ListFunds\","
                              "code=\"OK\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_rpc_requests_total{method=\"FundService/ListFunds\","
                              "code=\"UNAUTHENTICATED\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_auth_failures_total{method=\"FundService/ListFunds\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_rpc_duration_seconds_count{method=\"FundService/ListFunds\"}"
                              " 4\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_store_up 1\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_store_pool_sessions "));
  EXPECT_THAT(text, HasSubstr("riskcap_write_queue_depth 0\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_build_info{version=\"0.1.0\""));

  ExpectPromtoolAccepts(text, dir_.File("metrics.txt"));
}

// An audited call: an ADMIN creates manager `id` (valid CNPJs are few: `tax_id` is given).
void CreateManager(const std::shared_ptr<grpc::Channel>& channel, const std::string& secret,
                   int64_t id, const std::string& tax_id) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + secret);
  v1::CreateManagerRequest request;
  request.set_request_id(absl::StrCat("metrics-manager-", id));
  request.mutable_manager()->set_manager_id(id);
  request.mutable_manager()->set_name(absl::StrCat("Gestora ", id));
  request.mutable_manager()->set_tax_id(tax_id);
  v1::Manager created;
  grpc::Status st = v1::FundService::NewStub(channel)->CreateManager(&ctx, request, &created);
  EXPECT_TRUE(st.ok()) << st.error_message();
}

TEST_F(MetricsPrometheusTest, AuditChainSealedPositionAdvancesWithAuditedCalls) {
  constexpr char kSealed[] = "riskcap_audit_chain_sealed_position";
  std::string text;
  double before = -1;
  ASSERT_TRUE(testing::WaitFor([&] {
    text = testing::ScrapeMetrics(metrics_address_);
    before = SampleValue(text, kSealed);
    return before >= 0;
  })) << text;
  EXPECT_THAT(text, HasSubstr("# TYPE riskcap_audit_chain_sealed_position gauge\n"));
  EXPECT_GE(SampleValue(text, "riskcap_audit_chain_checkpoint_position"), 0) << text;
  CreateManager(channel_, admin_secret_, 7001, "11222333000181");
  CreateManager(channel_, admin_secret_, 7002, "11444777000161");
  ASSERT_TRUE(testing::WaitFor([&] {
    text = testing::ScrapeMetrics(metrics_address_);
    return SampleValue(text, kSealed) >= before + 2;
  })) << "before " << before << ":\n" << text;

  ExpectPromtoolAccepts(text, dir_.File("chain.txt"));
}

// The value of riskcap_rpc_requests_total{method=FundService/ListFunds,code=OK} in a query
// reply, or "" while Prometheus has not scraped it.
std::string ListFundsOkValue(const std::string& body) {
  auto reply = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded() || reply.value("status", "") != "success") return "";
  for (const auto& series : reply["data"]["result"]) {
    const auto& labels = series["metric"];
    if (labels.value("method", "") == "FundService/ListFunds" && labels.value("code", "") == "OK" &&
        labels.value("job", "") == "riskcapd") {
      return series["value"][1].get<std::string>();
    }
  }
  return "";
}

TEST_F(MetricsPrometheusTest, PrometheusScrapesTheCallCounter) {
  const std::string config = dir_.File("prometheus.yml");
  std::ofstream(config) << "global:\n  scrape_interval: 1s\n"
                        << "scrape_configs:\n  - job_name: riskcapd\n"
                        << "    static_configs:\n      - targets: ['" << metrics_address_
                        << "']\n";
  const int port = testing::FreeLoopbackPort();
  auto prometheus = testing::Subprocess::Start(
      {kPrometheus, "--config.file=" + config, "--storage.tsdb.path=" + dir_.File("tsdb"),
       absl::StrCat("--web.listen-address=127.0.0.1:", port), "--log.level=warn"});
  ASSERT_TRUE(prometheus.ok()) << prometheus.status();

  httplib::Client client("127.0.0.1", port);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  std::string value, last;
  while (value.empty() && absl::Now() < deadline) {
    auto res = client.Get("/api/v1/query?query=riskcap_rpc_requests_total");
    if (res && res->status == 200) {
      last = res->body;
      value = ListFundsOkValue(res->body);
    }
    if (value.empty()) absl::SleepFor(absl::Milliseconds(100));  // poll interval
  }
  EXPECT_EQ(value, "3") << "last reply: " << last << "\nprometheus: " << (*prometheus)->Stderr();
}

}  // namespace
}  // namespace riskcap
