// riskcap's top level: global flags, the list of command groups, parse and dispatch.
#include "client/cli.h"

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <grpc/support/log.h>

#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/command_suggest.h"
#include "client/errors.h"

namespace riskcap::client {
namespace {

// Every command group; a new group is one more entry (and its cmd_<group>.cc).
constexpr void (*kCommandGroups[])(CLI::App&, CommandContext&) = {
    RegisterCalcCommands,
    RegisterMarginCommands,
    RegisterFundCommands,
    RegisterExemptionCommands,
    RegisterStatusCommands,
    RegisterSnapshotCommands,
    RegisterIngestCommands,
    RegisterJobCommands,
    RegisterFindingCommands,
    RegisterReminderCommands,
    RegisterKeyCommands,
    RegisterAuditCommands,
    RegisterReportCommands,
};

constexpr char kDescription[] =
    "riskcap: command-line client of the riskcap risk capital monitoring server (riskcapd).\n"
    "Every API call is a subcommand; results print as a table, JSON or CSV.\n"
    "Example:\n"
    "  export RISKCAP_SERVER=127.0.0.1:50051 RISKCAP_TOKEN=rk_...\n"
    "  riskcap margin list --fund 1000 --output csv";

constexpr char kEnvironmentHelp[] =
    "Environment: RISKCAP_SERVER, RISKCAP_TOKEN, RISKCAP_TLS_CA, RISKCAP_TLS_CERT, "
    "RISKCAP_TLS_KEY,\nRISKCAP_TLS_SERVER_NAME, RISKCAP_TIMEOUT and RISKCAP_OUTPUT stand in for "
    "the flags of the same name.\nRun `riskcap <command> --help` for a command's flags and an "
    "example.\n";

void AddOutputFlag(CLI::App& app, std::string* format) {
  app.add_option("-o,--output", *format, "output format: table (default), json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}, CLI::ignore_case))
      ->envname("RISKCAP_OUTPUT")
      ->option_text("table|json|csv (Env:RISKCAP_OUTPUT)")
      ->group("Output");
}

// gRPC logs transport failures (a refused TLS handshake, ...) on stderr itself; the CLI reports
// every failure in one line, so gRPC's own logs appear only when GRPC_VERBOSITY asks for them.
void QuietGrpcLogs() {
  if (std::getenv("GRPC_VERBOSITY") == nullptr) gpr_set_log_function([](gpr_log_func_args*) {});
}

}  // namespace

int RunCli(int argc, char** argv) {
  CommandContext context;
  CLI::App app{kDescription, "riskcap"};
  app.fallthrough();  // global flags may follow the subcommand: `riskcap margin get 7 -o json`
  app.require_subcommand(1);
  AddConnectionFlags(app, &context.connection_options());
  AddOutputFlag(app, &context.output_flag());
  for (auto register_group : kCommandGroups) register_group(app, context);
  app.footer(absl::StrCat(kEnvironmentHelp, "\n", ExitCodeHelp()));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      if (auto unknown = UnknownCommandError(app, argc, argv)) {
        std::cerr << "riskcap: " << *unknown << "\n";
        return kExitUsage;
      }
    }
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  QuietGrpcLogs();
  return ReportError(context.RunSelected());
}

}  // namespace riskcap::client
