// Names an unknown command and suggests the nearest known one: `riskcap stauts` says
// "unknown command 'stauts'; did you mean 'status'?" instead of CLI11's "A subcommand is required".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace riskcap::client {

// The known name nearest to `word` (edit distance at most 2, or a name it is a prefix of), if
// any; the first such name in `names` on a tie.
std::optional<std::string> NearestName(const std::string& word,
                                       const std::vector<std::string>& names);

// Follows argv's words down the command tree of `app`; at the first word that is not a
// subcommand of a command group, returns the one-line error for it ("unknown command 'x'" or
// "unknown command 'x' for 'riskcap job'", with "; did you mean 'y'?" when one is near). Words
// that are values of options are skipped. nullopt when every word names a command.
std::optional<std::string> UnknownCommandError(CLI::App& app, int argc, const char* const* argv);

}  // namespace riskcap::client
