// riskcap finding: list, acknowledge, resolve and watch validation findings (FindingService).
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "client/command.h"
#include "client/finding_format.h"
#include "client/proto_format.h"
#include "client/request_id.h"
#include "core/status_macros.h"
#include "riskcap/v1/finding.grpc.pb.h"

namespace riskcap::client {
namespace {

using Stub = v1::FindingService::Stub;

struct FindingFlags {
  int64_t id = 0, fund = 0, after = 0;
  std::string state, severity, resolution, request_id, page_token, date;
  std::vector<std::string> rules;
  int page_size = 0;
  bool all = false;
};

absl::Status List(const CommandContext& context, const FindingFlags& f) {
  v1::ListFindingsRequest request;
  request.set_fund_id(f.fund);
  request.set_state(
      ParseEnumText<v1::FindingState>(f.state).value_or(v1::FINDING_STATE_UNSPECIFIED));
  request.set_minimum_severity(
      ParseEnumText<v1::FindingSeverity>(f.severity).value_or(v1::FINDING_SEVERITY_UNSPECIFIED));
  if (!f.rules.empty()) request.set_rule(f.rules[0]);
  request.set_reference_date(f.date);
  request.set_page_size(f.page_size);
  request.set_page_token(f.page_token);
  ASSIGN_OR_RETURN(auto findings, context.Open<v1::FindingService>());
  Table table = FindingTable(Table::Layout::kRows);
  while (true) {
    v1::ListFindingsResponse page;
    RETURN_IF_ERROR(findings.Call(&Stub::ListFindings, request, &page));
    for (const v1::Finding& finding : page.findings()) AddFinding(finding, table);
    if (page.next_page_token().empty()) break;
    if (!f.all) {
      std::cerr << "riskcap: more findings follow: add --all, or --page-token "
                << page.next_page_token() << "\n";
      break;
    }
    request.set_page_token(page.next_page_token());
  }
  context.Print(table);
  return absl::OkStatus();
}

void PrintFinding(const CommandContext& context, const v1::Finding& finding) {
  Table table = FindingTable(Table::Layout::kRecord);
  AddFinding(finding, table);
  context.Print(table);
}

absl::Status Acknowledge(const CommandContext& context, const FindingFlags& f) {
  v1::AcknowledgeFindingRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  request.set_finding_id(f.id);
  ASSIGN_OR_RETURN(auto findings, context.Open<v1::FindingService>());
  v1::Finding finding;
  RETURN_IF_ERROR(findings.Call(&Stub::AcknowledgeFinding, request, &finding));
  PrintFinding(context, finding);
  return absl::OkStatus();
}

absl::Status Resolve(const CommandContext& context, const FindingFlags& f) {
  v1::ResolveFindingRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  request.set_finding_id(f.id);
  request.set_resolution(f.resolution);
  ASSIGN_OR_RETURN(auto findings, context.Open<v1::FindingService>());
  v1::Finding finding;
  RETURN_IF_ERROR(findings.Call(&Stub::ResolveFinding, request, &finding));
  PrintFinding(context, finding);
  return absl::OkStatus();
}

// Prints each finding as it arrives until the server ends the stream or the user stops it.
absl::Status Watch(const CommandContext& context, const FindingFlags& f) {
  v1::WatchFindingsRequest request;
  request.set_fund_id(f.fund);
  for (const std::string& rule : f.rules) request.add_rules(rule);
  request.set_minimum_severity(
      ParseEnumText<v1::FindingSeverity>(f.severity).value_or(v1::FINDING_SEVERITY_UNSPECIFIED));
  request.set_after_finding_id(f.after);
  ASSIGN_OR_RETURN(auto findings, context.Open<v1::FindingService>());
  grpc::ClientContext call;
  findings.connection.PrepareStream(call);
  auto reader = findings.stub->WatchFindings(&call, request);
  RowStream out(FindingTable(Table::Layout::kRows), context.output_format(), std::cout);
  // The server sends its metadata once it has fixed where the stream starts: from then on no
  // finding is missed, so only then does the CLI say it is watching.
  reader->WaitForInitialMetadata();
  std::cerr << WatchingLine(f.after) << std::flush;
  v1::Finding finding;
  while (reader->Read(&finding)) out.Add(FindingCells(finding));
  return findings.connection.Check(reader->Finish());
}

void AddIdAndRequest(CLI::App* cmd, FindingFlags& f) {
  cmd->add_option("id", f.id, "finding id")->required()->check(CLI::PositiveNumber);
  cmd->add_option("--request-id", f.request_id, "idempotency key (default: a random UUID)");
}

void AddFilters(CLI::App* cmd, FindingFlags& f, bool many_rules) {
  cmd->add_option("--fund", f.fund, "only this fund")->check(CLI::PositiveNumber);
  cmd->add_option("--severity", f.severity, "only this severity or higher")
      ->check(CLI::IsMember(EnumTexts<v1::FindingSeverity>(), CLI::ignore_case));
  CLI::Option* rule = cmd->add_option("--rule", f.rules,
                                      many_rules ? "only this rule, e.g. LIMIT_BREACH (repeatable)"
                                                 : "only this rule, e.g. LIMIT_BREACH");
  rule->allow_extra_args(false);  // one rule per --rule
  if (!many_rules) rule->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

}  // namespace

void RegisterFindingCommands(CLI::App& app, CommandContext& context) {
  CLI::App* group = AddGroup(app, "finding",
                             "Validation findings raised by jobs: list, acknowledge, resolve, "
                             "watch",
                             "riskcap finding list --state OPEN --severity WARNING");
  auto l = std::make_shared<FindingFlags>();
  CLI::App* list = AddCommand(*group, "list", "List findings, newest first",
                              "riskcap finding list --fund 1000 --state OPEN --all -o csv");
  AddFilters(list, *l, false);
  list->add_option("--state", l->state, "only this state")
      ->check(CLI::IsMember(EnumTexts<v1::FindingState>(), CLI::ignore_case));
  list->add_option("--date", l->date,
                   "only findings raised for this reference date, YYYY-MM-DD (the KPIs count "
                   "the date's unresolved ones)");
  list->add_flag("--all", l->all, "fetch every page");
  list->add_option("--page-size", l->page_size, "results per page (server default 100)")
      ->check(CLI::PositiveNumber);
  list->add_option("--page-token", l->page_token, "continue a previous listing");
  context.SetAction(list, [&context, l] { return List(context, *l); });

  auto a = std::make_shared<FindingFlags>();
  CLI::App* ack = AddCommand(*group, "ack", "Acknowledge an OPEN finding (ANALYST, ADMIN)",
                             "riskcap finding ack 17");
  AddIdAndRequest(ack, *a);
  context.SetAction(ack, [&context, a] { return Acknowledge(context, *a); });

  auto r = std::make_shared<FindingFlags>();
  CLI::App* resolve =
      AddCommand(*group, "resolve", "Resolve a finding, saying how (ANALYST, ADMIN)",
                 "riskcap finding resolve 17 --resolution 'manager resubmitted'");
  AddIdAndRequest(resolve, *r);
  resolve->add_option("--resolution", r->resolution, "how it was resolved")->required();
  context.SetAction(resolve, [&context, r] { return Resolve(context, *r); });

  auto w = std::make_shared<FindingFlags>();
  CLI::App* watch = AddCommand(
      *group, "watch",
      "Print findings as they are raised (JSON lines with --output json) until stopped;\n"
      "--after ID first replays the matching findings after that id, so nothing is missed",
      "riskcap finding watch --after 120 --severity CRITICAL -o json");
  AddFilters(watch, *w, true);
  watch->add_option("--after", w->after, "replay matching findings with a larger id first")
      ->check(CLI::NonNegativeNumber);
  context.SetAction(watch, [&context, w] { return Watch(context, *w); });
}

}  // namespace riskcap::client
