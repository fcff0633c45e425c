// What every riskcap subcommand shares: the global flags, the action the command line selected,
// and how results are printed. Each command group is one cmd_<group>.cc file exposing one
// Register<Group>Commands function, listed in cli.cc.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/connection.h"
#include "client/output.h"
#include "core/status_macros.h"

namespace riskcap::client {

// A connection and a stub of one gRPC service, e.g. ServiceClient<v1::MarginService>.
template <typename Service>
struct ServiceClient {
  Connection connection;
  std::unique_ptr<typename Service::Stub> stub;

  // One unary call: Call(&v1::MarginService::Stub::GetSubmission, request, &reply).
  template <typename Method, typename Request, typename Response>
  absl::Status Call(Method method, const Request& request, Response* response) const {
    return connection.Call(method, *stub, request, response);
  }
};

// Not thread-safe: the CLI is single-threaded.
class CommandContext {
 public:
  // A command's work. Errors go to ReportError, which picks the exit code from the status code.
  using Action = std::function<absl::Status()>;

  ConnectionOptions& connection_options() { return connection_; }
  // The --output value: "table", "json" or "csv".
  std::string& output_flag() { return output_; }
  OutputFormat output_format() const;

  // Makes `action` the one to run when `command` is what the user invoked.
  void SetAction(CLI::App* command, Action action);
  // Runs the action the parsed command line selected.
  absl::Status RunSelected() const;

  // A connection from the global flags (see Connection::Open).
  absl::StatusOr<Connection> Connect() const { return Connection::Open(connection_); }
  // A client of `Service` over Connect().
  template <typename Service>
  absl::StatusOr<ServiceClient<Service>> Open() const {
    ASSIGN_OR_RETURN(Connection connection, Connect());
    auto stub = Service::NewStub(connection.channel());
    return ServiceClient<Service>{std::move(connection), std::move(stub)};
  }
  // Writes `table` to stdout in the --output format; `document` replaces its JSON (see Render).
  void Print(const Table& table, const Json* document = nullptr) const;

 private:
  ConnectionOptions connection_;
  std::string output_ = "table";
  Action selected_;
};

// Adds a command group such as "margin", which requires one of its subcommands.
CLI::App* AddGroup(CLI::App& app, const std::string& name, const std::string& description,
                   const std::string& example);
// Adds a subcommand with what it does and an example invocation (shown by its --help).
CLI::App* AddCommand(CLI::App& group, const std::string& name, const std::string& description,
                     const std::string& example);

// Command groups (one cmd_<group>.cc each).
void RegisterCalcCommands(CLI::App& app, CommandContext& context);
void RegisterMarginCommands(CLI::App& app, CommandContext& context);
void RegisterFundCommands(CLI::App& app, CommandContext& context);
void RegisterExemptionCommands(CLI::App& app, CommandContext& context);
void RegisterStatusCommands(CLI::App& app, CommandContext& context);
void RegisterSnapshotCommands(CLI::App& app, CommandContext& context);
void RegisterIngestCommands(CLI::App& app, CommandContext& context);
void RegisterJobCommands(CLI::App& app, CommandContext& context);
void RegisterFindingCommands(CLI::App& app, CommandContext& context);
void RegisterReminderCommands(CLI::App& app, CommandContext& context);
void RegisterKeyCommands(CLI::App& app, CommandContext& context);
void RegisterAuditCommands(CLI::App& app, CommandContext& context);

// `riskcap margin import` (cmd_margin_import.cc), added to the margin group.
void AddMarginImport(CLI::App& margin, CommandContext& context);
void RegisterReportCommands(CLI::App& app, CommandContext& context);

}  // namespace riskcap::client
