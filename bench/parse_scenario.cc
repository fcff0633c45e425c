// The `parse` scenario: the feed reader (server/sources/row_parser.cc over the rows library) on a
// generated positions payload, in process: rows per second, the median of --runs runs. The
// payload is built before the clock starts; each run parses it whole into messages, as a data
// job does.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/strings/str_format.h"
#include "bench/feed_text.h"
#include "bench/scenario.h"
#include "riskcap/v1/common.pb.h"
#include "server/sources/row_parser.h"

namespace riskcap::bench {
namespace {

struct ParseOptions {
  int64_t rows = 200'000;
  int runs = 5;
  std::string format = "json";
};

int Run(const ParseOptions& o) {
  RowPlan plan;
  plan.fund_ids = {101, 102, 103, 104};
  plan.date = "2026-11-20";
  const bool csv = o.format == "csv";
  const std::string text =
      PositionsFeedText(plan, o.rows, csv ? FeedTextFormat::kCsv : FeedTextFormat::kJson);
  const auto format = csv ? server::sources::FeedFormat::kCsv : server::sources::FeedFormat::kJson;
  std::vector<double> seconds;
  for (int run = 0; run < o.runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    auto rows = server::sources::ParseRows<v1::Position>(text, format, "bench");
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (!rows.ok() || static_cast<int64_t>(rows->size()) != o.rows) {
      std::cerr << "parse: " << rows.status() << "\n";
      return kExitRunFailed;
    }
    seconds.push_back(took.count());
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  std::cout << absl::StrFormat(
      "parse format=%s rows=%d bytes=%d runs=%d median_s=%.3f rows_per_s=%.0f mb_per_s=%.1f\n",
      o.format, o.rows, text.size(), o.runs, median, o.rows / median,
      text.size() / median / 1e6);
  return kExitOk;
}

}  // namespace

Scenario AddParseScenario(CLI::App& app) {
  auto options = std::make_shared<ParseOptions>();
  CLI::App* command = app.add_subcommand(
      "parse", "Feed payload parsing in process: generated positions, JSON or CSV, rows/s");
  command->add_option("--rows", options->rows, "Rows in the payload")->check(CLI::PositiveNumber);
  command->add_option("--runs", options->runs, "Timed runs; the median is reported")
      ->check(CLI::PositiveNumber);
  command->add_option("--format", options->format, "json or csv")
      ->check(CLI::IsMember({"json", "csv"}));
  return {command, [options] { return Run(*options); }};
}

}  // namespace riskcap::bench
