// riskcap audit: the audit chain's signed head, to keep outside the system, and its verification
// (AdminService, ANALYST or ADMIN). Exit codes of verify: docs/cli.md.
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/errors.h"
#include "client/proto_table.h"
#include "core/status_macros.h"
#include "riskcap/v1/admin.grpc.pb.h"

namespace riskcap::client {
namespace {

using Stub = v1::AdminService::Stub;

// A break's exit code: 10 + its reason's number - 1 (row changed 10 ... head not extended 16).
int BreakExitCode(v1::AuditBreakReason reason) { return 9 + static_cast<int>(reason); }

absl::Status Head(const CommandContext& context) {
  ASSIGN_OR_RETURN(auto admin, context.Open<v1::AdminService>());
  v1::AuditCheckpoint head;
  RETURN_IF_ERROR(admin.Call(&Stub::GetAuditHead, v1::GetAuditHeadRequest(), &head));
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  options.add_whitespace = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(head, &json, options);
  std::cout << json;
  return absl::OkStatus();
}

absl::StatusOr<v1::AuditCheckpoint> ReadHead(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("--against: cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  v1::AuditCheckpoint head;
  auto parsed = google::protobuf::util::JsonStringToMessage(text.str(), &head);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--against: ", path, " is not a checkpoint (`riskcap audit head` output): ",
        parsed.ToString()));
  }
  return head;
}

absl::Status Verify(const CommandContext& context, const std::string& against) {
  v1::VerifyAuditLogRequest request;
  if (!against.empty()) {
    ASSIGN_OR_RETURN(*request.mutable_against(), ReadHead(against));
  }
  ASSIGN_OR_RETURN(auto admin, context.Open<v1::AdminService>());
  v1::AuditVerification result;
  RETURN_IF_ERROR(admin.Call(&Stub::VerifyAuditLog, request, &result));
  context.Print(ProtoRecord(result));
  if (result.ok()) return absl::OkStatus();
  return WithExitCode(
      absl::DataLossError(absl::StrCat("audit chain broken at position ", result.position(), ": ",
                                       result.detail())),
      BreakExitCode(result.reason()));
}

}  // namespace

void RegisterAuditCommands(CLI::App& app, CommandContext& context) {
  CLI::App* group = AddGroup(app, "audit", "the tamper-evident audit log (ANALYST, ADMIN)",
                             "riskcap audit head > HEAD.json");
  CLI::App* head = AddCommand(
      *group, "head",
      "Seal the audit records so far and print a signed checkpoint of the chain's head as JSON,\n"
      "to keep outside the system (a ticket, an e-mail, a WORM bucket)",
      "riskcap audit head > HEAD-2026-12-07.json");
  context.SetAction(head, [&context] { return Head(context); });

  auto against = std::make_shared<std::string>();
  CLI::App* verify = AddCommand(
      *group, "verify",
      "Recompute the audit chain and check every checkpoint's signature; exit 0 when it\n"
      "verifies, else 10..16 by why it breaks (row changed 10, missing 11, inserted 12,\n"
      "reordered 13, checkpoint signature invalid 14, checkpoint mismatch 15, does not\n"
      "extend the given head 16)",
      "riskcap audit verify --against HEAD-2026-12-07.json");
  verify->add_option("--against", *against,
                     "a checkpoint kept outside (`riskcap audit head` output) that the log must "
                     "still extend");
  context.SetAction(verify, [&context, against] { return Verify(context, *against); });
}

}  // namespace riskcap::client
