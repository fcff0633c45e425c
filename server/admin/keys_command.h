// Issuing API keys: the one routine behind AdminService.CreateApiKey and the operator's
// `riskcapd keys create` (which makes the first ADMIN key, before any key can call the API).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/audit.h"
#include "core/enums.h"
#include "db/store.h"

namespace CLI {
class App;
}  // namespace CLI

namespace riskcap::server {

// A stored key and its secret; the secret exists only here and is never stored or shown again.
struct IssuedApiKey {
  ApiKey key;
  std::string secret;
};

constexpr size_t kMaxKeyLabelChars = 100;

// Validates and stores a new key: label 1..100 characters; for MANAGER a manager_id naming an
// existing manager, for other roles none. Violations name the CreateApiKeyRequest fields
// ("label", "manager_id"). Only HashApiKeySecret(secret) is stored.
absl::StatusOr<IssuedApiKey> IssueApiKey(db::Store& store, const std::string& label, Role role,
                                         std::optional<int64_t> manager_id,
                                         const std::string& created_by, absl::Time now);

// The local operator's key creation: issues the key as "cli:local", appends an audit record
// (method "riskcapd keys create") and returns the secret.
absl::StatusOr<std::string> CreateKeyOffline(db::Store& store, Role role,
                                             std::optional<int64_t> manager_id,
                                             const std::string& label, absl::Time now);

// Options of `riskcapd keys create`, filled in when the command line is parsed.
struct KeysCommand {
  CLI::App* create = nullptr;  // parsed() tells whether `keys create` was given
  std::string role;            // MANAGER, ANALYST, SERVICE or ADMIN (any case)
  int64_t manager_id = 0;      // required for MANAGER, 0 otherwise
  std::string label = "operator";
};

// Adds `keys create --role R [--manager-id N] [--label L]` to `app`. `command` must outlive
// parsing.
void AddKeysCommand(CLI::App& app, KeysCommand* command);

// Runs `keys create` on an open, migrated store: writes only the secret and a newline to `out`
// and any error to `err`. Returns the exit code: 0, 2 for bad arguments, 3 when the store fails.
int RunKeysCreate(const KeysCommand& command, db::Store& store, absl::Time now, std::ostream& out,
                  std::ostream& err);

}  // namespace riskcap::server
