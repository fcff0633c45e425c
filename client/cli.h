// The riskcap command line: global flags, command groups, dispatch and exit codes.
#pragma once

namespace riskcap::client {

// Parses the command line, runs the chosen subcommand and returns the process exit code
// (ExitCode in client/errors.h).
int RunCli(int argc, char** argv);

}  // namespace riskcap::client
