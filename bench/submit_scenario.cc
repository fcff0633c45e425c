// The `submit` scenario: durable MarginService.SubmitMargin throughput and latency with a fixed
// number of calls in flight on one channel, spread over a run's funds.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "bench/closed_loop.h"
#include "bench/noop_margin_server.h"
#include "bench/registry_setup.h"
#include "bench/scenario.h"
#include "core/status_macros.h"
#include "riskcap/v1/margin.grpc.pb.h"

namespace riskcap::bench {
namespace {

namespace v1 = ::riskcap::v1;

struct SubmitOptions {
  LoadOptions load;
  int funds = 200;
  bool skip_setup = false;
  std::vector<int64_t> fund_ids;
  bool baseline = false;  // also drive an in-process no-op SubmitMargin server
};

// What every call of one run shares.
struct SubmitPlan {
  RunId run;
  std::vector<int64_t> fund_ids;
  std::string reference_date;  // yesterday (UTC): never "after today" on the server's clock
};

// One call's state; gRPC needs all three alive until the completion callback has run.
struct SubmitCall {
  grpc::ClientContext context;
  v1::SubmitMarginRequest request;
  v1::SubmissionReceipt receipt;
};

void FillRequest(const SubmitPlan& plan, int64_t seq, v1::SubmitMarginRequest* r) {
  r->set_request_id(RequestId(plan.run, "s", seq));
  r->set_fund_id(plan.fund_ids[static_cast<size_t>(seq) % plan.fund_ids.size()]);
  r->set_reference_date(plan.reference_date);
  r->set_local_margin(absl::StrFormat("%d.%02d", 100'000 + seq % 900'000, seq % 100));
  r->set_offshore_margin(seq % 4 == 0 ? "2500.5" : "0");
  r->set_methodology("riskcap_bench synthetic load: historical VaR 99%, 1-day horizon");
}

// A fresh request_id must be stored anew: an OK without a new submission counts as an error.
grpc::Status CheckReceipt(const grpc::Status& status, const v1::SubmissionReceipt& receipt) {
  if (!status.ok()) return status;
  if (receipt.submission_id() <= 0 || receipt.replayed()) {
    return grpc::Status(grpc::StatusCode::UNKNOWN,
                        "bench: OK without a new submission_id (or replayed) for a fresh request_id");
  }
  return status;
}

CallStarter SubmitStarter(const std::shared_ptr<grpc::Channel>& channel, const LoadOptions& load,
                          std::shared_ptr<const SubmitPlan> plan) {
  auto stub = std::make_shared<v1::MarginService::Stub>(channel);
  return [stub, load, plan](int64_t seq, CallDone done) {
    auto call = std::make_shared<SubmitCall>();
    PrepareContext(load, call->context);
    FillRequest(*plan, seq, &call->request);
    stub->async()->SubmitMargin(&call->context, &call->request, &call->receipt,
                                [call, done = std::move(done)](grpc::Status status) {
                                  done(CheckReceipt(status, call->receipt));
                                });
  };
}

std::string YesterdayUtc() {
  absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  return absl::FormatCivilTime(today - 1);
}

// The backend's name, or "unknown" when the server does not serve AdminService yet.
absl::StatusOr<std::string> ProbeBackend(const std::shared_ptr<grpc::Channel>& channel,
                                         const LoadOptions& load) {
  absl::StatusOr<std::string> backend = StoreBackendName(channel, load);
  if (absl::IsUnimplemented(backend.status())) {
    std::cerr << "submit: the server does not serve AdminService.GetServerInfo; backend=unknown\n";
    return std::string("unknown");
  }
  return backend;
}

absl::StatusOr<std::vector<int64_t>> ResolveFunds(const SubmitOptions& o,
                                                  const std::shared_ptr<grpc::Channel>& channel,
                                                  const RunId& run) {
  if (o.skip_setup) return o.fund_ids;
  std::cerr << "submit: creating manager " << run.number << " and " << o.funds << " funds\n";
  return CreateRunFunds(channel, o.load, run, o.funds);
}

void PrintDetails(const ClosedLoop& loop, const LoadReport& report) {
  const LatencyHistogram& h = loop.latency();
  std::cerr << absl::StrFormat(
      "submit: %d ok, %d failed in %.1f s (+%d calls in warm-up/drain); latency ms p50=%.2f "
      "p90=%.2f p99=%.2f p99.9=%.2f max=%.2f\n",
      report.ok, report.errors, report.seconds, report.unmeasured, h.PercentileMs(0.5),
      h.PercentileMs(0.9), h.PercentileMs(0.99), h.PercentileMs(0.999), h.MaxMs());
  if (loop.errors().total() > 0) {
    std::cerr << "submit: " << loop.errors().total() << " failed calls (all phases):\n";
    loop.errors().Print(std::cerr);
  }
}

// Probes the server and creates (or takes) the funds; returns the backend's name.
absl::StatusOr<std::string> Setup(const SubmitOptions& o,
                                  const std::shared_ptr<grpc::Channel>& channel, SubmitPlan& plan) {
  ASSIGN_OR_RETURN(std::string backend, ProbeBackend(channel, o.load));
  ASSIGN_OR_RETURN(plan.fund_ids, ResolveFunds(o, channel, plan.run));
  plan.reference_date = YesterdayUtc();
  return backend;
}

// What one closed-loop run against one server measured.
struct Measured {
  double qps = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  int64_t errors = 0;
};

Measured Drive(const LoadOptions& load, const std::shared_ptr<grpc::Channel>& channel,
               std::shared_ptr<const SubmitPlan> plan) {
  ClosedLoop loop(load, SubmitStarter(channel, load, std::move(plan)));
  LoadReport report = loop.Run();
  PrintDetails(loop, report);
  return Measured{report.qps(), loop.latency().PercentileMs(0.5),
                  loop.latency().PercentileMs(0.99), report.errors};
}

// The same load, from the same client, against a server that does nothing: what the client,
// gRPC and this machine allow. A real server's qps divided by it is comparable across machines.
absl::StatusOr<Measured> DriveBaseline(const SubmitOptions& o,
                                       std::shared_ptr<const SubmitPlan> plan) {
  NoopMarginServer noop;
  if (noop.address().empty()) return absl::UnavailableError("the no-op server did not start");
  LoadOptions load = o.load;
  load.server = noop.address();
  std::cerr << "submit: baseline: the same load against a no-op SubmitMargin server at "
            << load.server << "\n";
  return Drive(load, OpenChannel(load), std::move(plan));
}

int RunSubmit(const SubmitOptions& o) {
  std::shared_ptr<grpc::Channel> channel = OpenChannel(o.load);
  auto plan = std::make_shared<SubmitPlan>();
  plan->run = NewRunId();
  absl::StatusOr<std::string> backend = Setup(o, channel, *plan);
  if (!backend.ok()) {
    std::cerr << "submit: setup failed: " << backend.status() << "\n";
    return kExitSetupFailed;
  }
  std::cerr << absl::StrFormat("submit: run %d, %d funds, warm-up %.1f s, measuring %.1f s\n",
                               plan->run.number, plan->fund_ids.size(), o.load.warmup,
                               o.load.seconds);
  const Measured real = Drive(o.load, channel, plan);
  std::string baseline;
  if (o.baseline) {
    absl::StatusOr<Measured> noop = DriveBaseline(o, plan);
    if (!noop.ok() || noop->errors > 0 || noop->qps <= 0) {
      std::cerr << "submit: baseline failed: "
                << (noop.ok() ? "calls failed" : noop.status().ToString()) << "\n";
      return kExitRunFailed;
    }
    baseline = absl::StrFormat(" baseline_qps=%.1f baseline_p99_ms=%.2f share_of_baseline=%.3f",
                               noop->qps, noop->p99_ms, real.qps / noop->qps);
  }
  std::cout << absl::StrFormat("submit backend=%s inflight=%d qps=%.1f p50_ms=%.2f p99_ms=%.2f "
                               "errors=%d%s\n",
                               *backend, o.load.inflight, real.qps, real.p50_ms, real.p99_ms,
                               real.errors, baseline);
  return kExitOk;
}

}  // namespace

Scenario AddSubmitScenario(CLI::App& app) {
  auto options = std::make_shared<SubmitOptions>();
  CLI::App* cmd = app.add_subcommand(
      "submit", "SubmitMargin throughput: keeps --inflight calls outstanding on one channel");
  AddLoadOptions(*cmd, &options->load);
  cmd->add_option("--funds", options->funds, "funds to create and spread submissions over")
      ->check(CLI::Range(1, kMaxRunFunds))
      ->capture_default_str();
  CLI::Option* skip = cmd->add_flag("--skip-setup", options->skip_setup,
                                    "create nothing; submit for the funds of --fund-ids");
  CLI::Option* ids = cmd->add_option("--fund-ids", options->fund_ids,
                                     "existing active funds, comma-separated (with --skip-setup)")
                         ->delimiter(',')
                         ->check(CLI::PositiveNumber);
  skip->needs(ids);
  ids->needs(skip);
  cmd->add_flag("--baseline", options->baseline,
                "then drive an in-process no-op SubmitMargin server the same way and print "
                "share_of_baseline (the server's qps / the no-op's)");
  return Scenario{cmd, [options] { return RunSubmit(*options); }};
}

}  // namespace riskcap::bench
