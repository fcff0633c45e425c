// The benchmark scenarios riskcap_bench offers, one subcommand each. To add one: write
// <name>_scenario.cc defining Add<Name>Scenario, declare it here and list it in bench_main.cc.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace riskcap::bench {

struct Scenario {
  CLI::App* command = nullptr;  // the subcommand, its options registered
  std::function<int()> run;     // runs the scenario after parsing; returns the exit code
};

// Process exit codes shared by the scenarios.
inline constexpr int kExitOk = 0;
inline constexpr int kExitSetupFailed = 3;  // the server was unreachable or setup was refused
inline constexpr int kExitRunFailed = 4;    // the measured work itself failed (no summary line)

// `submit`: durable MarginService.SubmitMargin throughput and latency (submit_scenario.cc).
Scenario AddSubmitScenario(CLI::App& app);

// `ingest`: IngestService.UploadPositions rows per second for one big batch (ingest_scenario.cc).
Scenario AddIngestScenario(CLI::App& app);

// `pipeline`: loads generated data, then times JobService.RunPipeline (pipeline_scenario.cc).
Scenario AddPipelineScenario(CLI::App& app);

// `reads`: every List RPC's first and deep page, and the summary, over a seeded store on an
// in-process server (reads_scenario.cc).
Scenario AddReadsScenario(CLI::App& app);

// `parse`: the feed reader on a generated positions payload, in process (parse_scenario.cc).
Scenario AddParseScenario(CLI::App& app);

}  // namespace riskcap::bench
