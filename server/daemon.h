// riskcapd's command line: `riskcapd` (serve), `riskcapd migrate`, `riskcapd keys create`,
// `riskcapd backup`.
#pragma once

namespace riskcap::server {

// Parses the command line over the RISKCAP_* environment and runs the chosen command.
// Returns the process exit code.
int RunRiskcapd(int argc, char** argv);

}  // namespace riskcap::server
