// riskcapd's command line: `riskcapd` (serve), `riskcapd migrate`, `riskcapd keys create`,
// `riskcapd backup`.
#pragma once

namespace riskcap::server {

// Reads the configuration (each setting from its flag, else its RISKCAP_* environment variable:
// server/daemon/config.h), sets the log level from it, and runs the chosen command. Returns the process
// exit code (2 for a bad setting).
int RunRiskcapd(int argc, char** argv);

}  // namespace riskcap::server
