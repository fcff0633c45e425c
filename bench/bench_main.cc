// riskcap_bench: load generators for a running riskcapd, one subcommand per scenario.
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/scenario.h"

int main(int argc, char** argv) {
  CLI::App app{"riskcap_bench: drives a running riskcapd and prints one summary line per run.\n"
               "Example:\n"
               "  riskcap_bench submit --server 127.0.0.1:50051 --token $ADMIN_KEY --inflight 64"};
  app.require_subcommand(1);
  std::vector<riskcap::bench::Scenario> scenarios;
  scenarios.push_back(riskcap::bench::AddSubmitScenario(app));
  scenarios.push_back(riskcap::bench::AddIngestScenario(app));
  scenarios.push_back(riskcap::bench::AddPipelineScenario(app));
  scenarios.push_back(riskcap::bench::AddReadsScenario(app));
  scenarios.push_back(riskcap::bench::AddParseScenario(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (const riskcap::bench::Scenario& scenario : scenarios) {
    if (scenario.command->parsed()) return scenario.run();
  }
  return app.exit(CLI::CallForHelp());
}
