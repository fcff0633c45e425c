// API key issuing and the `riskcapd keys create` command.
#include "server/admin/keys_command.h"

#include <CLI/CLI.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "core/logger.h"
#include "core/status_macros.h"
#include "server/rpc/auth.h"
#include "server/funds/convert_fund.h"

namespace riskcap::server {
namespace {

constexpr char kOfflineActor[] = "cli:local";
constexpr char kOfflineMethod[] = "riskcapd keys create";
constexpr int kExitUsage = 2;
constexpr int kExitStore = 3;

// Records a violation on "manager_id" unless it suits `role`; fails only when the store does.
absl::Status CheckKeyScope(db::Store& store, Role role, std::optional<int64_t> manager_id,
                           FieldErrors& errors) {
  if (role != Role::kManager) {
    if (manager_id) errors.Add("manager_id", "must be 0 unless role is MANAGER");
    return absl::OkStatus();
  }
  if (!manager_id || *manager_id <= 0) {
    errors.Add("manager_id", "is required for a MANAGER key: the manager it is scoped to");
    return absl::OkStatus();
  }
  auto manager = store.GetManager(*manager_id);
  if (absl::IsNotFound(manager.status())) {
    errors.Add("manager_id", absl::StrCat("manager ", *manager_id, " does not exist"));
    return absl::OkStatus();
  }
  return manager.status();
}

}  // namespace

absl::StatusOr<IssuedApiKey> IssueApiKey(db::Store& store, const std::string& label, Role role,
                                         std::optional<int64_t> manager_id,
                                         const std::string& created_by, absl::Time now) {
  FieldErrors errors;
  CheckName(label, kMaxKeyLabelChars, "label", errors);
  RETURN_IF_ERROR(CheckKeyScope(store, role, manager_id, errors));
  RETURN_IF_ERROR(errors.ToStatus());
  IssuedApiKey issued;
  issued.secret = NewApiKeySecret();
  ApiKey key;
  key.label = label;
  key.role = role;
  key.manager_id = manager_id;
  key.secret_hash = HashApiKeySecret(issued.secret);
  key.created_at = now;
  key.created_by = created_by;
  ASSIGN_OR_RETURN(issued.key, store.CreateApiKey(key));
  return issued;
}

absl::StatusOr<std::string> CreateKeyOffline(db::Store& store, Role role,
                                             std::optional<int64_t> manager_id,
                                             const std::string& label, absl::Time now) {
  ASSIGN_OR_RETURN(IssuedApiKey issued,
                   IssueApiKey(store, label, role, manager_id, kOfflineActor, now));
  AuditRecord record;
  record.at = now;
  record.principal = kOfflineActor;
  record.method = kOfflineMethod;
  record.outcome = "OK";
  record.detail = absl::StrCat("api_key=", issued.key.id, " role=", AbslView(EnumName(role)),
                               manager_id ? absl::StrCat(" manager=", *manager_id) : "");
  if (absl::Status st = store.AppendAudit(record); !st.ok()) {
    // The key exists: withholding its secret would only leave an unusable key behind.
    Log(LogLevel::kError, "audit write failed",
        {{"method", kOfflineMethod}, {"error", StdView(st.ToString())}});
  }
  return issued.secret;
}

void AddKeysCommand(CLI::App& app, KeysCommand* command) {
  CLI::App* keys = app.add_subcommand("keys", "manage API keys offline (directly in the store)");
  keys->require_subcommand(1);
  command->create = keys->add_subcommand(
      "create",
      "create an API key and print only its secret on stdout (shown once; the store keeps its "
      "SHA-256). Example: riskcapd keys create --role ADMIN --label ana.souza");
  command->create->add_option("--role", command->role, "MANAGER, ANALYST, SERVICE or ADMIN")
      ->required();
  command->create
      ->add_option("--manager-id", command->manager_id,
                   "for MANAGER keys, the manager the key is scoped to")
      ->check(CLI::PositiveNumber);
  command->create->add_option("--label", command->label,
                              "who or what holds the key, 1..100 characters")
      ->capture_default_str();
}

int RunKeysCreate(const KeysCommand& command, db::Store& store, absl::Time now, std::ostream& out,
                  std::ostream& err) {
  auto role = ParseEnum<Role>(StdView(absl::AsciiStrToUpper(command.role)));
  if (!role.ok()) {
    err << "riskcapd keys create: --role: " << role.status().message() << "\n";
    return kExitUsage;
  }
  std::optional<int64_t> manager_id;
  if (command.manager_id != 0) manager_id = command.manager_id;
  auto secret = CreateKeyOffline(store, *role, manager_id, command.label, now);
  if (!secret.ok()) {
    err << "riskcapd keys create: " << secret.status().message() << "\n";
    return absl::IsInvalidArgument(secret.status()) ? kExitUsage : kExitStore;
  }
  out << *secret << "\n";
  return 0;
}

}  // namespace riskcap::server
