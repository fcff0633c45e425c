// `riskcapd keys init-signing` and `riskcapd audit verify`.
#include "server/daemon/audit_command.h"

#include <CLI/CLI.hpp>

#include "absl/strings/match.h"
#include "server/admin/audit_signing_key.h"
#include "server/admin/convert_audit_chain.h"

namespace riskcap::server {
namespace {

constexpr int kExitUsage = 2;
constexpr int kExitStore = 3;
constexpr int kExitExists = 7;

}  // namespace

int AuditBreakExitCode(db::AuditBreak reason) {
  switch (reason) {
    case db::AuditBreak::kNone: return 0;
    case db::AuditBreak::kRowChanged: return 10;
    case db::AuditBreak::kRowMissing: return 11;
    case db::AuditBreak::kRowInserted: return 12;
    case db::AuditBreak::kRowMoved: return 13;
    case db::AuditBreak::kSignatureInvalid: return 14;
    case db::AuditBreak::kCheckpointMismatch: return 15;
    case db::AuditBreak::kHeadNotExtended: return 16;
  }
  return 1;
}

std::string StoreUrlOrFile(const std::string& url_or_file) {
  if (absl::StartsWith(url_or_file, "sqlite:") || absl::StartsWith(url_or_file, "postgres")) {
    return url_or_file;
  }
  return "sqlite:" + url_or_file;
}

void AddAuditCommand(CLI::App& app, AuditCommand* command) {
  CLI::App* keys = app.get_subcommand("keys");
  command->init_signing = keys->add_subcommand(
      "init-signing",
      "create the Ed25519 key that signs audit checkpoints at RISKCAP_SIGNING_KEY_FILE "
      "(--signing-key-file), mode 0600, and print its public key; an existing file is never "
      "overwritten");
  CLI::App* audit = app.add_subcommand("audit", "check the audit chain offline");
  audit->require_subcommand(1);
  command->verify = audit->add_subcommand(
      "verify",
      "recompute the audit chain of the store at --db (a store URL or a backup file) and check "
      "every checkpoint's signature; exit 0 when it verifies, 10..16 by why it breaks "
      "(docs/cli.md). Example: riskcapd audit verify --db /backups/riskcap.db --against HEAD.json");
  command->verify->add_option("--against", command->against,
                              "a checkpoint kept outside (`riskcap audit head` output): the log "
                              "must still extend it, and it must be signed by the same key");
}

int RunInitSigning(const std::string& key_file, std::ostream& out, std::ostream& err) {
  absl::Status created = AuditSigningKey::CreateFile(key_file);
  if (!created.ok()) {
    err << "riskcapd keys init-signing: " << created.message() << "\n";
    if (absl::IsInvalidArgument(created)) return kExitUsage;
    return absl::IsAlreadyExists(created) ? kExitExists : kExitStore;
  }
  auto key = AuditSigningKey::Load(key_file);
  if (!key.ok()) {
    err << "riskcapd keys init-signing: " << key.status().message() << "\n";
    return kExitStore;
  }
  out << "created " << key_file << " public_key=" << (*key)->public_key() << "\n";
  return 0;
}

int RunAuditVerify(const AuditCommand& command, const std::string& key_file, db::Store& store,
                   std::ostream& out, std::ostream& err) {
  db::AuditVerifyOptions options;
  if (!command.against.empty()) {
    auto head = ReadCheckpointFile(command.against);
    if (!head.ok()) {
      err << "riskcapd audit verify: --against: " << head.status().message() << "\n";
      return kExitUsage;
    }
    options.against = *head;
    options.trusted_public_key = head->public_key;
  } else if (!key_file.empty()) {
    auto key = AuditSigningKey::Load(key_file);
    if (!key.ok()) {
      err << "riskcapd audit verify: " << key.status().message() << "\n";
      return kExitUsage;
    }
    options.trusted_public_key = (*key)->public_key();
  }
  auto v = store.VerifyAudit(options);
  if (!v.ok()) {
    err << "riskcapd audit verify: " << v.status().message() << "\n";
    return kExitStore;
  }
  if (v->ok()) {
    out << "audit chain OK: records=" << v->records << " checkpoints=" << v->checkpoints
        << " unsealed=" << v->unsealed << "\n";
  } else {
    out << "audit chain BROKEN at position " << v->position << ": "
        << db::AuditBreakName(v->reason) << " (" << v->detail << ")\n";
  }
  return AuditBreakExitCode(v->reason);
}

}  // namespace riskcap::server
