// Unknown command names and their nearest known neighbours.
#include "client/command_suggest.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace riskcap::client {
namespace {

constexpr size_t kMaxDistance = 2;

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Named subcommands (CLI11 keeps option groups as unnamed ones).
std::vector<CLI::App*> Subcommands(CLI::App& app) {
  return app.get_subcommands([](CLI::App* sub) { return !sub->get_name().empty(); });
}

CLI::App* SubcommandNamed(CLI::App& app, const std::string& word) {
  for (CLI::App* sub : Subcommands(app)) {
    if (sub->check_name(word)) return sub;
  }
  return nullptr;
}

std::vector<std::string> SubcommandNames(CLI::App& app) {
  std::vector<std::string> names;
  for (CLI::App* sub : Subcommands(app)) names.push_back(sub->get_name());
  return names;
}

// True when option word `word` (e.g. "-o", "--server") takes the next word as its value.
bool TakesValue(CLI::App& app, const std::string& word) {
  if (absl::StrContains(word, "=")) return false;
  for (CLI::App* at = &app; at != nullptr; at = at->get_parent()) {
    const CLI::Option* option = at->get_option_no_throw(word);
    if (option != nullptr) return option->get_type_size() > 0;
  }
  return false;
}

std::string CommandPath(CLI::App& app) {
  std::string path = app.get_name();
  for (CLI::App* at = app.get_parent(); at != nullptr; at = at->get_parent()) {
    path = absl::StrCat(at->get_name(), " ", path);
  }
  return path;
}

}  // namespace

std::optional<std::string> NearestName(const std::string& word,
                                       const std::vector<std::string>& names) {
  std::optional<std::string> best;
  size_t best_distance = kMaxDistance + 1;
  for (const std::string& name : names) {
    size_t distance = EditDistance(word, name);
    if (!word.empty() && absl::StartsWith(name, word)) distance = std::min<size_t>(distance, 1);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

std::optional<std::string> UnknownCommandError(CLI::App& app, int argc,
                                               const char* const* argv) {
  CLI::App* at = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--") return std::nullopt;
    if (absl::StartsWith(word, "-")) {
      if (TakesValue(*at, word)) ++i;
      continue;
    }
    std::vector<std::string> names = SubcommandNames(*at);
    if (names.empty()) return std::nullopt;  // a command's own arguments follow
    CLI::App* sub = SubcommandNamed(*at, word);
    if (sub != nullptr) {
      at = sub;
      continue;
    }
    std::string message = absl::StrCat("unknown command '", word, "'");
    if (at != &app) absl::StrAppend(&message, " for '", CommandPath(*at), "'");
    if (auto near = NearestName(word, names)) {
      absl::StrAppend(&message, "; did you mean '", *near, "'?");
    } else {
      absl::StrAppend(&message, "; run '", CommandPath(*at), " --help' for the commands");
    }
    return message;
  }
  return std::nullopt;
}

}  // namespace riskcap::client
