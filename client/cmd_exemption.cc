// riskcap exemption: an analyst's decision that a fund counts as validated for a period
// (FundService.GrantExemption / ListExemptions / RevokeExemption).
#include <memory>
#include <string>

#include "client/command.h"
#include "client/proto_format.h"
#include "client/request_id.h"
#include "core/status_macros.h"
#include "riskcap/v1/fund.grpc.pb.h"

namespace riskcap::client {
namespace {

using Stub = v1::FundService::Stub;

struct ExemptionFlags {
  int64_t fund = 0, id = 0;
  std::string from, to, reason, request_id;
  bool revoked = false;
};

Table ExemptionTable(Table::Layout layout) {
  return Table({"exemption_id", "fund_id", "start_date", "end_date", "reason", "granted_by",
                "grant_time", "revoked_by", "revoke_time"},
               layout);
}

void AddExemption(const v1::Exemption& e, Table& table) {
  table.AddRow({e.exemption_id(), e.fund_id(), e.start_date(), e.end_date(), e.reason(),
                e.granted_by(), TimestampCell(e.grant_time(), e.has_grant_time()),
                e.revoked_by(), TimestampCell(e.revoke_time(), e.has_revoke_time())});
}

absl::Status Grant(const CommandContext& context, const ExemptionFlags& f) {
  v1::GrantExemptionRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  v1::Exemption* e = request.mutable_exemption();
  e->set_fund_id(f.fund);
  e->set_start_date(f.from);
  e->set_end_date(f.to);
  e->set_reason(f.reason);
  ASSIGN_OR_RETURN(auto funds, context.Open<v1::FundService>());
  v1::Exemption granted;
  RETURN_IF_ERROR(funds.Call(&Stub::GrantExemption, request, &granted));
  Table table = ExemptionTable(Table::Layout::kRecord);
  AddExemption(granted, table);
  context.Print(table);
  return absl::OkStatus();
}

absl::Status Revoke(const CommandContext& context, const ExemptionFlags& f) {
  v1::RevokeExemptionRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  request.set_exemption_id(f.id);
  ASSIGN_OR_RETURN(auto funds, context.Open<v1::FundService>());
  v1::Exemption revoked;
  RETURN_IF_ERROR(funds.Call(&Stub::RevokeExemption, request, &revoked));
  Table table = ExemptionTable(Table::Layout::kRecord);
  AddExemption(revoked, table);
  context.Print(table);
  return absl::OkStatus();
}

absl::Status List(const CommandContext& context, const ExemptionFlags& f) {
  ASSIGN_OR_RETURN(auto funds, context.Open<v1::FundService>());
  v1::ListExemptionsRequest request;
  request.set_fund_id(f.fund);
  request.set_include_revoked(f.revoked);
  Table table = ExemptionTable(Table::Layout::kRows);
  while (true) {
    v1::ListExemptionsResponse page;
    RETURN_IF_ERROR(funds.Call(&Stub::ListExemptions, request, &page));
    for (const v1::Exemption& e : page.exemptions()) AddExemption(e, table);
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  context.Print(table);
  return absl::OkStatus();
}

void AddGrant(CLI::App& group, CommandContext& context) {
  CLI::App* grant = AddCommand(
      group, "grant", "Treat a fund as validated from one date to another (ANALYST, ADMIN)",
      "riskcap exemption grant --fund 1004 --from 2026-11-01 --to 2027-03-31 "
      "--reason 'fund in liquidation'");
  auto f = std::make_shared<ExemptionFlags>();
  grant->add_option("--fund", f->fund, "fund id")->required()->check(CLI::PositiveNumber);
  grant->add_option("--from", f->from, "first day covered, YYYY-MM-DD")->required();
  grant->add_option("--to", f->to, "last day covered, YYYY-MM-DD")->required();
  grant->add_option("--reason", f->reason, "why the fund is exempt")->required();
  grant->add_option("--request-id", f->request_id, "idempotency key (default: a random UUID)");
  context.SetAction(grant, [&context, f] { return Grant(context, *f); });
}

}  // namespace

void RegisterExemptionCommands(CLI::App& app, CommandContext& context) {
  CLI::App* group = AddGroup(app, "exemption", "Exemptions: funds treated as validated",
                             "riskcap exemption list --fund 1004");
  AddGrant(*group, context);
  CLI::App* list = AddCommand(*group, "list", "List exemptions in force (or all: --revoked)",
                              "riskcap exemption list --fund 1004 -o csv");
  auto f = std::make_shared<ExemptionFlags>();
  list->add_option("--fund", f->fund, "only this fund")->check(CLI::PositiveNumber);
  list->add_flag("--revoked", f->revoked, "include revoked exemptions");
  context.SetAction(list, [&context, f] { return List(context, *f); });
  CLI::App* revoke = AddCommand(*group, "revoke", "Revoke an exemption (ANALYST, ADMIN)",
                                "riskcap exemption revoke 3");
  auto r = std::make_shared<ExemptionFlags>();
  revoke->add_option("id", r->id, "exemption id")->required()->check(CLI::PositiveNumber);
  revoke->add_option("--request-id", r->request_id, "idempotency key (default: a random UUID)");
  context.SetAction(revoke, [&context, r] { return Revoke(context, *r); });
}

}  // namespace riskcap::client
