// riskcap manager / riskcap fund: register asset managers and their funds (FundService).
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

#include "client/command.h"
#include "client/proto_format.h"
#include "client/request_id.h"
#include "core/status_macros.h"
#include "riskcap/v1/fund.grpc.pb.h"

namespace riskcap::client {
namespace {

using Stub = v1::FundService::Stub;

struct FundFlags {
  int64_t id = 0, manager = 0;
  std::string name, tax_id, regulatory_class, audience, currency = "BRL", request_id;
  double cap = 0;
  bool inactive = false;
};

// A manager with its contacts: the addresses as a list (JSON array; "a; b" in text), the webhook
// URL (null when none) and whether a webhook secret is stored — never the secret itself.
Table ManagerTable(Table::Layout layout) {
  return Table({"manager_id", "name", "tax_id", "contact_emails", "webhook_url",
                "webhook_secret_set"},
               layout);
}

void AddManager(const v1::Manager& m, Table& table) {
  Json emails = Json::array();
  for (const std::string& e : m.contact_emails()) emails.push_back(e);
  Json webhook = m.webhook_url().empty() ? Json() : Json(m.webhook_url());
  table.AddRow({m.manager_id(), m.name(), m.tax_id(), std::move(emails), std::move(webhook),
                m.webhook_secret_set()});
}

Table FundTable(Table::Layout layout) {
  return Table({"fund_id", "name", "tax_id", "manager_id", "regulatory_class", "target_audience",
                "bylaws_margin_cap", "base_currency", "active"},
               layout);
}

void AddFund(const v1::Fund& f, Table& table) {
  Json cap = f.has_bylaws_margin_cap() ? Json(f.bylaws_margin_cap().value()) : Json();
  table.AddRow({f.fund_id(), f.name(), f.tax_id(), f.manager_id(),
                EnumText(f.regulatory_class()), EnumText(f.target_audience()), cap,
                f.base_currency(), f.active()});
}

absl::Status CreateManager(const CommandContext& context, const FundFlags& f) {
  v1::CreateManagerRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  request.mutable_manager()->set_manager_id(f.id);
  request.mutable_manager()->set_name(f.name);
  request.mutable_manager()->set_tax_id(f.tax_id);
  ASSIGN_OR_RETURN(auto funds, context.Open<v1::FundService>());
  v1::Manager manager;
  RETURN_IF_ERROR(funds.Call(&Stub::CreateManager, request, &manager));
  Table table = ManagerTable(Table::Layout::kRecord);
  AddManager(manager, table);
  context.Print(table);
  return absl::OkStatus();
}

absl::Status ListManagers(const CommandContext& context) {
  ASSIGN_OR_RETURN(auto funds, context.Open<v1::FundService>());
  v1::ListManagersRequest request;
  Table table = ManagerTable(Table::Layout::kRows);
  while (true) {
    v1::ListManagersResponse page;
    RETURN_IF_ERROR(funds.Call(&Stub::ListManagers, request, &page));
    for (const v1::Manager& m : page.managers()) AddManager(m, table);
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  context.Print(table);
  return absl::OkStatus();
}

struct ManagerUpdateFlags {
  int64_t id = 0;
  std::string name, tax_id, webhook_url, webhook_secret_file, request_id;
  std::vector<std::string> emails;
  bool clear_emails = false, clear_webhook = false;
};

// The secret is read from a file so that it never shows in the process list or shell history.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read --webhook-secret-file '",
                                                          path, "'"));
  std::stringstream text;
  text << in.rdbuf();
  return std::string(absl::StripTrailingAsciiWhitespace(text.str()));
}

absl::StatusOr<v1::UpdateManagerRequest> ManagerUpdateRequest(const ManagerUpdateFlags& f) {
  v1::UpdateManagerRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  v1::Manager* m = request.mutable_manager();
  m->set_manager_id(f.id);
  auto* mask = request.mutable_update_mask();
  if (!f.name.empty()) {
    m->set_name(f.name);
    mask->add_paths("name");
  }
  if (!f.tax_id.empty()) {
    m->set_tax_id(f.tax_id);
    mask->add_paths("tax_id");
  }
  if (!f.emails.empty() || f.clear_emails) {
    for (const std::string& e : f.emails) m->add_contact_emails(e);
    mask->add_paths("contact_emails");
  }
  if (!f.webhook_url.empty() || f.clear_webhook) {
    m->set_webhook_url(f.webhook_url);
    mask->add_paths("webhook_url");
  }
  if (!f.webhook_secret_file.empty()) {
    ASSIGN_OR_RETURN(std::string secret, ReadSecretFile(f.webhook_secret_file));
    m->set_webhook_secret(secret);
    mask->add_paths("webhook_secret");
  }
  if (mask->paths().empty()) {
    return absl::InvalidArgumentError("nothing to update: give --name, --tax-id, --email, "
                                      "--webhook-url or --webhook-secret-file");
  }
  return request;
}

absl::Status UpdateManager(const CommandContext& context, const ManagerUpdateFlags& f) {
  ASSIGN_OR_RETURN(v1::UpdateManagerRequest request, ManagerUpdateRequest(f));
  ASSIGN_OR_RETURN(auto funds, context.Open<v1::FundService>());
  v1::Manager m;
  RETURN_IF_ERROR(funds.Call(&Stub::UpdateManager, request, &m));
  Table table = ManagerTable(Table::Layout::kRecord);
  AddManager(m, table);
  context.Print(table);
  return absl::OkStatus();
}

void AddManagerUpdate(CLI::App& group, CommandContext& context) {
  CLI::App* update = AddCommand(
      group, "update", "Change a manager's name, tax id or contacts (ADMIN)",
      "riskcap manager update 1 --email risk@alpha.example.com --email ops@alpha.example.com "
      "--webhook-url https://hooks.alpha.example.com/riskcap --webhook-secret-file secret.txt");
  auto f = std::make_shared<ManagerUpdateFlags>();
  update->add_option("id", f->id, "manager id")->required()->check(CLI::PositiveNumber);
  update->add_option("--name", f->name, "new name");
  update->add_option("--tax-id", f->tax_id, "new CNPJ, 14 digits");
  update->add_option("--email", f->emails,
                     "contact e-mail address for reminders; repeat for several (replaces all)");
  update->add_flag("--clear-emails", f->clear_emails, "remove every contact e-mail address");
  update->add_option("--webhook-url", f->webhook_url,
                     "https:// URL that receives reminders as signed JSON POSTs");
  update->add_flag("--clear-webhook", f->clear_webhook, "remove the webhook");
  update->add_option("--webhook-secret-file", f->webhook_secret_file,
                     "file holding the webhook's HMAC secret (16..256 bytes)");
  update->add_option("--request-id", f->request_id, "idempotency key (default: a random UUID)");
  context.SetAction(update, [&context, f] { return UpdateManager(context, *f); });
}

absl::Status CreateFund(const CommandContext& context, const FundFlags& f) {
  v1::CreateFundRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  v1::Fund* fund = request.mutable_fund();
  fund->set_fund_id(f.id);
  fund->set_name(f.name);
  fund->set_tax_id(f.tax_id);
  fund->set_manager_id(f.manager);
  // The flags' checks admit only known names.
  fund->set_regulatory_class(ParseEnumText<v1::RegulatoryClass>(f.regulatory_class).value());
  fund->set_target_audience(ParseEnumText<v1::TargetAudience>(f.audience).value());
  if (f.cap > 0) fund->mutable_bylaws_margin_cap()->set_value(f.cap);
  fund->set_base_currency(f.currency);
  fund->set_active(!f.inactive);
  ASSIGN_OR_RETURN(auto funds, context.Open<v1::FundService>());
  v1::Fund created;
  RETURN_IF_ERROR(funds.Call(&Stub::CreateFund, request, &created));
  Table table = FundTable(Table::Layout::kRecord);
  AddFund(created, table);
  context.Print(table);
  return absl::OkStatus();
}

absl::Status GetFund(const CommandContext& context, int64_t id) {
  v1::GetFundRequest request;
  request.set_fund_id(id);
  ASSIGN_OR_RETURN(auto funds, context.Open<v1::FundService>());
  v1::Fund fund;
  RETURN_IF_ERROR(funds.Call(&Stub::GetFund, request, &fund));
  Table table = FundTable(Table::Layout::kRecord);
  AddFund(fund, table);
  context.Print(table);
  return absl::OkStatus();
}

absl::Status ListFunds(const CommandContext& context, int64_t manager) {
  ASSIGN_OR_RETURN(auto funds, context.Open<v1::FundService>());
  v1::ListFundsRequest request;
  request.set_manager_id(manager);
  request.set_include_inactive(true);
  Table table = FundTable(Table::Layout::kRows);
  while (true) {
    v1::ListFundsResponse page;
    RETURN_IF_ERROR(funds.Call(&Stub::ListFunds, request, &page));
    for (const v1::Fund& f : page.funds()) AddFund(f, table);
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  context.Print(table);
  return absl::OkStatus();
}

void AddRequestId(CLI::App* cmd, FundFlags& f) {
  cmd->add_option("--request-id", f.request_id, "idempotency key (default: a random UUID)");
}

void AddManagerCommands(CLI::App& app, CommandContext& context) {
  CLI::App* group = AddGroup(app, "manager", "Asset managers: register and list them",
                             "riskcap manager list");
  CLI::App* create = AddCommand(*group, "create", "Register an asset manager (ADMIN)",
                                "riskcap manager create --id 1 --name 'Alpha Gestora' "
                                "--tax-id 11444777000161");
  auto f = std::make_shared<FundFlags>();
  create->add_option("--id", f->id, "manager id")->required()->check(CLI::PositiveNumber);
  create->add_option("--name", f->name, "manager name")->required();
  create->add_option("--tax-id", f->tax_id, "CNPJ, 14 digits")->required();
  AddRequestId(create, *f);
  context.SetAction(create, [&context, f] { return CreateManager(context, *f); });
  AddManagerUpdate(*group, context);
  CLI::App* list = AddCommand(*group, "list", "List every manager with its contacts",
                              "riskcap manager list -o json");
  context.SetAction(list, [&context] { return ListManagers(context); });
}

void AddFundCreate(CLI::App& group, CommandContext& context) {
  CLI::App* create = AddCommand(
      group, "create", "Register a fund under a manager (ADMIN)",
      "riskcap fund create --id 101 --name 'Alpha Macro FIM' --tax-id 11222333000181 "
      "--manager 1 --class MULTIMERCADO --audience QUALIFIED");
  auto f = std::make_shared<FundFlags>();
  create->add_option("--id", f->id, "the administrator's fund code")->required()->check(CLI::PositiveNumber);
  create->add_option("--name", f->name, "fund name")->required();
  create->add_option("--tax-id", f->tax_id, "CNPJ, 14 digits")->required();
  create->add_option("--manager", f->manager, "manager id")->required()->check(CLI::PositiveNumber);
  create->add_option("--class", f->regulatory_class, "regulatory class")
      ->required()->check(CLI::IsMember(EnumTexts<v1::RegulatoryClass>(), CLI::ignore_case));
  create->add_option("--audience", f->audience, "target audience")
      ->required()->check(CLI::IsMember(EnumTexts<v1::TargetAudience>(), CLI::ignore_case));
  create->add_option("--cap", f->cap, "margin cap from the bylaws, a fraction of NAV in (0, 1]");
  create->add_option("--currency", f->currency, "base currency, ISO 4217 (default BRL)");
  create->add_flag("--inactive", f->inactive, "register it as inactive");
  AddRequestId(create, *f);
  context.SetAction(create, [&context, f] { return CreateFund(context, *f); });
}

}  // namespace

void RegisterFundCommands(CLI::App& app, CommandContext& context) {
  AddManagerCommands(app, context);
  CLI::App* group = AddGroup(app, "fund", "Funds under administration: register, show, list",
                             "riskcap fund list --manager 1");
  AddFundCreate(*group, context);
  CLI::App* get = AddCommand(*group, "get", "Show one fund", "riskcap fund get 1000 -o json");
  auto id = std::make_shared<int64_t>(0);
  get->add_option("id", *id, "fund id")->required()->check(CLI::PositiveNumber);
  context.SetAction(get, [&context, id] { return GetFund(context, *id); });
  CLI::App* list = AddCommand(*group, "list", "List funds (a MANAGER key sees its own only)",
                              "riskcap fund list --manager 1 -o csv");
  auto manager = std::make_shared<int64_t>(0);
  list->add_option("--manager", *manager, "only this manager's funds")->check(CLI::PositiveNumber);
  context.SetAction(list, [&context, manager] { return ListFunds(context, *manager); });
}

}  // namespace riskcap::client
