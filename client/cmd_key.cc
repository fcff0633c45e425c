// riskcap key: create, list and revoke API keys (AdminService, ADMIN only).
#include <google/protobuf/util/json_util.h>

#include <memory>
#include <string>

#include "client/command.h"
#include "client/proto_format.h"
#include "client/proto_table.h"
#include "client/request_id.h"
#include "core/status_macros.h"
#include "riskcap/v1/admin.grpc.pb.h"

namespace riskcap::client {
namespace {

using Stub = v1::AdminService::Stub;

struct KeyFlags {
  std::string role, label, request_id;
  int64_t manager = 0, id = 0;
  bool revoked = false;
};

absl::Status Create(const CommandContext& context, const KeyFlags& f) {
  v1::CreateApiKeyRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  request.set_label(f.label);
  request.set_role(ParseEnumText<v1::Role>(f.role).value());  // the flag's check admits names only
  request.set_manager_id(f.manager);
  ASSIGN_OR_RETURN(auto admin, context.Open<v1::AdminService>());
  v1::CreateApiKeyResponse response;
  RETURN_IF_ERROR(admin.Call(&Stub::CreateApiKey, request, &response));
  std::vector<std::string> columns = ProtoColumns(*v1::ApiKey::descriptor());
  columns.push_back("secret");
  Table table(columns, Table::Layout::kRecord);
  std::vector<Json> cells = ProtoCells(response.api_key());
  cells.push_back(response.secret());
  table.AddRow(std::move(cells));
  // JSON: the whole response, {"api_key": {...}, "secret": "..."}.
  Json document = {{"api_key", ProtoObject(response.api_key())}, {"secret", response.secret()}};
  context.Print(table, &document);
  return absl::OkStatus();
}

absl::Status List(const CommandContext& context, const KeyFlags& f) {
  v1::ListApiKeysRequest request;
  request.set_manager_id(f.manager);
  request.set_include_revoked(f.revoked);
  request.set_page_size(1000);
  ASSIGN_OR_RETURN(auto admin, context.Open<v1::AdminService>());
  Table table = ProtoTable(*v1::ApiKey::descriptor(), Table::Layout::kRows);
  while (true) {
    v1::ListApiKeysResponse page;
    RETURN_IF_ERROR(admin.Call(&Stub::ListApiKeys, request, &page));
    for (const v1::ApiKey& key : page.api_keys()) table.AddRow(ProtoCells(key));
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  context.Print(table);
  return absl::OkStatus();
}

absl::Status Revoke(const CommandContext& context, const KeyFlags& f) {
  v1::RevokeApiKeyRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  request.set_api_key_id(f.id);
  ASSIGN_OR_RETURN(auto admin, context.Open<v1::AdminService>());
  v1::ApiKey key;
  RETURN_IF_ERROR(admin.Call(&Stub::RevokeApiKey, request, &key));
  context.Print(ProtoRecord(key));
  return absl::OkStatus();
}

}  // namespace

void RegisterKeyCommands(CLI::App& app, CommandContext& context) {
  CLI::App* group = AddGroup(app, "key", "API keys: create, list, revoke (ADMIN)",
                             "riskcap key create --role MANAGER --manager 1 --label alpha-ops");
  auto c = std::make_shared<KeyFlags>();
  CLI::App* create = AddCommand(
      *group, "create",
      "Create an API key and print its secret, shown this once only (with --output json the\n"
      "whole response: {\"api_key\": {...}, \"secret\": \"...\"})",
      "riskcap key create --role ANALYST --label ana.souza");
  create->add_option("--role", c->role, "what the key may do")
      ->required()
      ->check(CLI::IsMember(EnumTexts<v1::Role>(), CLI::ignore_case));
  create->add_option("--manager", c->manager, "for MANAGER keys: the manager it is scoped to")
      ->check(CLI::PositiveNumber);
  create->add_option("--label", c->label, "who or what holds the key (default: the role)");
  create->add_option("--request-id", c->request_id, "idempotency key (default: a random UUID)");
  context.SetAction(create, [&context, c] {
    KeyFlags f = *c;
    if (f.label.empty()) f.label = f.role;
    return Create(context, f);
  });

  auto l = std::make_shared<KeyFlags>();
  CLI::App* list = AddCommand(*group, "list", "List API keys (active ones unless --revoked)",
                              "riskcap key list --revoked -o csv");
  list->add_option("--manager", l->manager, "only keys scoped to this manager")
      ->check(CLI::PositiveNumber);
  list->add_flag("--revoked", l->revoked, "include revoked keys");
  context.SetAction(list, [&context, l] { return List(context, *l); });

  auto r = std::make_shared<KeyFlags>();
  CLI::App* revoke =
      AddCommand(*group, "revoke", "Revoke an API key: calls with it fail from then on",
                 "riskcap key revoke 12");
  revoke->add_option("id", r->id, "API key id")->required()->check(CLI::PositiveNumber);
  revoke->add_option("--request-id", r->request_id, "idempotency key (default: a random UUID)");
  context.SetAction(revoke, [&context, r] { return Revoke(context, *r); });
}

}  // namespace riskcap::client
