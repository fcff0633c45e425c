// riskcapd's audit-chain commands: `keys init-signing` (creates the checkpoint signing key) and
// `audit verify` (offline, on a store URL or a backup file). Exit codes: docs/cli.md.
#pragma once

#include <ostream>
#include <string>

#include "db/audit_verify.h"
#include "db/store.h"

namespace CLI {
class App;
}  // namespace CLI

namespace riskcap::server {

// The exit code of a verification: 0 when it verifies, else one per reason (10..16).
int AuditBreakExitCode(db::AuditBreak reason);

// Options of the audit commands, filled in when the command line is parsed.
struct AuditCommand {
  CLI::App* init_signing = nullptr;  // `keys init-signing`; parsed() tells whether it was given
  CLI::App* verify = nullptr;        // `audit verify`
  std::string against;               // --against HEAD.json (optional)
};

// Adds `audit verify [--against HEAD.json]` to `app` and `init-signing` to its `keys` subcommand
// (add that one first). `command` must outlive parsing.
void AddAuditCommand(CLI::App& app, AuditCommand* command);

// `keys init-signing`: creates the key file at `key_file`. Exit 0 (printing its public key), 2 when
// no file is configured, 7 when it exists (never overwritten), 3 when it cannot be written.
int RunInitSigning(const std::string& key_file, std::ostream& out, std::ostream& err);

// `audit verify` on an open store (read only: nothing is sealed). The trusted key is the given
// head's, else the one in `key_file` when set. Prints one line; returns AuditBreakExitCode, 2 for
// a bad --against or key file, 3 when the store fails.
int RunAuditVerify(const AuditCommand& command, const std::string& key_file, db::Store& store,
                   std::ostream& out, std::ostream& err);

// "sqlite:PATH" for a plain file path (a backup file); a store URL as it is.
std::string StoreUrlOrFile(const std::string& url_or_file);

}  // namespace riskcap::server
