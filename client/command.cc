// CommandContext and the helpers every command group uses to declare its subcommands.
#include "client/command.h"

#include <iostream>

#include "absl/strings/str_cat.h"

namespace riskcap::client {
namespace {

std::string Footer(const std::string& example) {
  return absl::StrCat("Example:\n  ", example,
                      "\n\nConnection and output flags (--server, --token, --output, ...) and exit "
                      "codes: riskcap --help");
}

}  // namespace

void CommandContext::SetAction(CLI::App* command, Action action) {
  command->callback([this, action = std::move(action)] { selected_ = action; });
}

absl::Status CommandContext::RunSelected() const {
  if (!selected_) return absl::InternalError("no command was selected");
  return selected_();
}

OutputFormat CommandContext::output_format() const {
  if (output_ == "json") return OutputFormat::kJson;
  if (output_ == "csv") return OutputFormat::kCsv;
  return OutputFormat::kTable;
}

void CommandContext::Print(const Table& table, const Json* document) const {
  Render(table, output_format(), std::cout, document);
  std::cout.flush();
}

CLI::App* AddGroup(CLI::App& app, const std::string& name, const std::string& description,
                   const std::string& example) {
  CLI::App* group = app.add_subcommand(name, description);
  group->require_subcommand(1);
  group->footer(Footer(example));
  return group;
}

CLI::App* AddCommand(CLI::App& group, const std::string& name, const std::string& description,
                     const std::string& example) {
  CLI::App* command = group.add_subcommand(name, description);
  command->footer(Footer(example));
  return command;
}

}  // namespace riskcap::client
