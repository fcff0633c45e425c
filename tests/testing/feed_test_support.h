// Test support for the feeds tests: the simulated upstream (examples/upstream-sim) as a child
// process, its runtime controls, and a JobContext for running data jobs directly.
#pragma once

#include <curl/curl.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "core/clock.h"
#include "core/rules/rules_config.h"
#include "server/jobs/job.h"
#include "server/sources/feed_source.h"
#include "tests/testing/subprocess.h"

namespace riskcap::testing {

inline std::string UpstreamSimScript() {
  return std::string(RISKCAP_SOURCE_DIR) + "/examples/upstream-sim/upstream_sim.py";
}

// The simulator serving on a free port. Killed on destruction.
class UpstreamSim {
 public:
  static absl::StatusOr<std::unique_ptr<UpstreamSim>> Start(std::vector<std::string> args) {
    std::vector<std::string> argv = {"/usr/bin/python3", UpstreamSimScript(), "serve", "--port",
                                     "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto process = Subprocess::Start(argv);
    if (!process.ok()) return process.status();
    auto sim = std::unique_ptr<UpstreamSim>(new UpstreamSim(std::move(*process)));
    for (int i = 0; i < 200; ++i) {
      const std::string out = sim->process_->Stdout();
      const size_t at = out.find("url ");
      if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
        sim->url_ = out.substr(at + 4, out.find('\n', at) - at - 4);
        return sim;
      }
      absl::SleepFor(absl::Milliseconds(25));
    }
    return absl::DeadlineExceededError(
        absl::StrCat("upstream sim did not start: ", sim->process_->Stderr()));
  }

  const std::string& url() const { return url_; }

  // POST /_faults: {"path": ..., "mode": ..., "times": N, "delay": seconds}.
  absl::Status SetFault(const std::string& path, const std::string& mode, int times = -1,
                        double delay_seconds = 3) {
    return Post("/_faults", absl::StrCat("{\"path\":\"", path, "\",\"mode\":\"", mode,
                                         "\",\"times\":", times, ",\"delay\":", delay_seconds,
                                         "}"));
  }
  absl::Status SetRevision(int revision) {
    return Post("/_revision", absl::StrCat("{\"revision\":", revision, "}"));
  }
  absl::Status Reset() { return Post("/_reset", "{}"); }

  // Requests the simulator has seen for `path` (from GET /_stats).
  absl::StatusOr<int> Hits(const std::string& path) {
    server::sources::HttpFetcher fetcher({});
    auto stats = fetcher.Get(url_ + "/_stats");
    if (!stats.ok()) return stats.status();
    const std::string needle = absl::StrCat("\"", path, "\": ");
    const size_t at = stats->body.find(needle);
    if (at == std::string::npos) return 0;
    int hits = 0;
    const size_t begin = at + needle.size();
    const std::string digits = stats->body.substr(begin, stats->body.find_first_of(",}", begin) - begin);
    if (!absl::SimpleAtoi(digits, &hits)) return absl::InternalError(stats->body);
    return hits;
  }

 private:
  explicit UpstreamSim(std::unique_ptr<Subprocess> process) : process_(std::move(process)) {}

  absl::Status Post(const std::string& path, const std::string& body) {
    CURL* curl = curl_easy_init();
    const std::string url = url_ + path;
    std::string ignored;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
                     +[](char*, size_t size, size_t n, void*) -> size_t { return size * n; });
    CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    if (code != CURLE_OK || status != 200) {
      return absl::InternalError(absl::StrCat("POST ", url, " failed: ", curl_easy_strerror(code),
                                              " HTTP ", status));
    }
    return absl::OkStatus();
  }

  std::unique_ptr<Subprocess> process_;
  std::string url_;
};

// A fresh JobContext per run, like the runner makes (run ids 0: no job run rows).
struct JobHarness {
  explicit JobHarness(db::Store& s) : store(s) {}
  absl::StatusOr<server::jobs::JobOutput> Run(server::jobs::Job& job, Date date,
                                              std::map<std::string, std::string> params = {},
                                              server::jobs::JobContext::Hooks hooks = {}) {
    server::jobs::JobContext context(store, clock, rules, 0, std::string(job.name()), date,
                                     std::move(params), std::move(hooks));
    return job.Run(context);
  }
  db::Store& store;
  FakeClock clock{absl::FromCivil(absl::CivilSecond(2026, 11, 24, 12, 0, 0), absl::UTCTimeZone())};
  rules::RulesConfig rules;
};

// A source config for `location` with fast retries, for tests.
inline server::sources::SourceConfig TestSource(const std::string& location) {
  server::sources::SourceConfig config;
  config.location = location;
  config.http.timeout = absl::Seconds(5);
  config.http.retries = 2;
  config.http.initial_backoff = absl::Milliseconds(20);
  return config;
}

}  // namespace riskcap::testing
