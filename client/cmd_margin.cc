// riskcap margin: submit, read and review margin reports (MarginService).
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/margin_format.h"
#include "client/progress.h"
#include "client/proto_format.h"
#include "client/request_id.h"
#include "core/status_macros.h"
#include "riskcap/v1/margin.grpc.pb.h"

namespace riskcap::client {
namespace {

using Stub = v1::MarginService::Stub;

struct SubmitFlags {
  int64_t fund = 0;
  std::string date, local, offshore, methodology, request_id;
};

struct ListFlags {
  int64_t fund = 0, manager = 0;
  std::string from, to, state, page_token;
  int page_size = 0;
  bool all = false;
};

struct DecideFlags {
  int64_t id = 0;
  std::string reason, request_id;
};

absl::Status Submit(const CommandContext& context, const SubmitFlags& f) {
  v1::SubmitMarginRequest request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  request.set_fund_id(f.fund);
  request.set_reference_date(f.date);
  request.set_local_margin(f.local);
  request.set_offshore_margin(f.offshore);
  request.set_methodology(f.methodology);
  ASSIGN_OR_RETURN(auto margin, context.Open<v1::MarginService>());
  v1::SubmissionReceipt receipt;
  RETURN_IF_ERROR(margin.Call(&Stub::SubmitMargin, request, &receipt));
  context.Print(ReceiptTable(receipt, request.request_id()));
  return absl::OkStatus();
}

absl::Status Get(const CommandContext& context, int64_t id) {
  v1::GetSubmissionRequest request;
  request.set_submission_id(id);
  ASSIGN_OR_RETURN(auto margin, context.Open<v1::MarginService>());
  v1::MarginSubmission submission;
  RETURN_IF_ERROR(margin.Call(&Stub::GetSubmission, request, &submission));
  Table table = SubmissionTable(Table::Layout::kRecord);
  AddSubmission(submission, table);
  context.Print(table);
  return absl::OkStatus();
}

v1::ListSubmissionsRequest ListRequest(const ListFlags& f) {
  v1::ListSubmissionsRequest request;
  request.set_fund_id(f.fund);
  request.set_manager_id(f.manager);
  request.set_start_date(f.from);
  request.set_end_date(f.to);
  // The flag's check admits only known names.
  request.set_state(
      ParseEnumText<v1::SubmissionState>(f.state).value_or(v1::SUBMISSION_STATE_UNSPECIFIED));
  request.set_page_size(f.page_size);
  request.set_page_token(f.page_token);
  return request;
}

// One page, or every page with --all (with a progress line on a terminal).
absl::Status List(const CommandContext& context, const ListFlags& f) {
  ASSIGN_OR_RETURN(auto margin, context.Open<v1::MarginService>());
  v1::ListSubmissionsRequest request = ListRequest(f);
  Table table = SubmissionTable(Table::Layout::kRows);
  std::optional<Progress> progress;
  if (f.all) progress.emplace("submissions", 0);
  while (true) {
    v1::ListSubmissionsResponse page;
    RETURN_IF_ERROR(margin.Call(&Stub::ListSubmissions, request, &page));
    for (const v1::MarginSubmission& s : page.submissions()) AddSubmission(s, table);
    if (progress) progress->Add(page.submissions_size());
    if (page.next_page_token().empty()) break;
    if (!f.all) {
      std::cerr << "riskcap: more submissions follow: add --all, or --page-token "
                << page.next_page_token() << "\n";
      break;
    }
    request.set_page_token(page.next_page_token());
  }
  if (progress) progress->Finish();
  context.Print(table);
  return absl::OkStatus();
}

// ValidateSubmission or RejectSubmission, whose requests have the same fields.
template <typename Request>
absl::Status Decide(const CommandContext& context, const DecideFlags& f,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                 v1::MarginSubmission*)) {
  Request request;
  request.set_request_id(f.request_id.empty() ? NewRequestId() : f.request_id);
  request.set_submission_id(f.id);
  request.set_reason(f.reason);
  ASSIGN_OR_RETURN(auto margin, context.Open<v1::MarginService>());
  v1::MarginSubmission submission;
  RETURN_IF_ERROR(margin.Call(method, request, &submission));
  Table table = SubmissionTable(Table::Layout::kRecord);
  AddSubmission(submission, table);
  context.Print(table);
  return absl::OkStatus();
}

void AddRequestIdFlag(CLI::App* command, std::string* request_id) {
  command->add_option("--request-id", *request_id,
                      "idempotency key: retrying with the same one never applies twice "
                      "(default: a random UUID)");
}

void AddSubmit(CLI::App& margin, CommandContext& context) {
  CLI::App* cmd = AddCommand(
      margin, "submit",
      "Submit a fund's margin report for a reference date; prints the receipt (submission id, "
      "content hash, next due date)",
      "riskcap margin submit --fund 1000 --date 2026-11-20 --local 1500000.25 --offshore 0 "
      "--methodology 'Historical VaR 99%, 10 days'");
  auto f = std::make_shared<SubmitFlags>();
  cmd->add_option("--fund", f->fund, "fund id")->required()->check(CLI::PositiveNumber);
  cmd->add_option("--date", f->date, "reference date, YYYY-MM-DD, not after today")->required();
  cmd->add_option("--local", f->local, "local (OTC) margin, exact decimal >= 0")->required();
  cmd->add_option("--offshore", f->offshore, "offshore margin, exact decimal >= 0")->required();
  cmd->add_option("--methodology", f->methodology, "how the figures were computed")->required();
  AddRequestIdFlag(cmd, &f->request_id);
  context.SetAction(cmd, [&context, f] { return Submit(context, *f); });
}

void AddGet(CLI::App& margin, CommandContext& context) {
  CLI::App* cmd = AddCommand(margin, "get", "Show one submission with its review state",
                             "riskcap margin get 42 --output json");
  auto id = std::make_shared<int64_t>(0);
  cmd->add_option("id", *id, "submission id")->required()->check(CLI::PositiveNumber);
  context.SetAction(cmd, [&context, id] { return Get(context, *id); });
}

void AddList(CLI::App& margin, CommandContext& context) {
  CLI::App* cmd = AddCommand(margin, "list",
                             "List submissions, newest received first, one page at a time or "
                             "--all",
                             "riskcap margin list --fund 1000 --from 2026-01-01 --all --output csv");
  auto f = std::make_shared<ListFlags>();
  cmd->add_option("--fund", f->fund, "only this fund")->check(CLI::PositiveNumber);
  cmd->add_option("--manager", f->manager, "only this manager's funds")->check(CLI::PositiveNumber);
  cmd->add_option("--from", f->from, "only reference dates on or after, YYYY-MM-DD");
  cmd->add_option("--to", f->to, "only reference dates on or before, YYYY-MM-DD");
  cmd->add_option("--state", f->state, "only this review state")
      ->check(CLI::IsMember(EnumTexts<v1::SubmissionState>(), CLI::ignore_case));
  cmd->add_flag("--all", f->all, "fetch every page");
  cmd->add_option("--page-size", f->page_size, "results per page (server default 100, max 1000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--page-token", f->page_token, "continue a previous listing");
  context.SetAction(cmd, [&context, f] { return List(context, *f); });
}

void AddDecide(CLI::App& margin, CommandContext& context, bool validate) {
  CLI::App* cmd =
      validate ? AddCommand(margin, "validate",
                            "Mark a RECEIVED submission VALIDATED, with an optional comment",
                            "riskcap margin validate 42 --reason 'consistent with benchmark'")
               : AddCommand(margin, "reject",
                            "Mark a RECEIVED submission REJECTED, saying what the manager must fix",
                            "riskcap margin reject 42 --reason 'offshore margin missing'");
  auto f = std::make_shared<DecideFlags>();
  cmd->add_option("id", f->id, "submission id")->required()->check(CLI::PositiveNumber);
  CLI::Option* reason = cmd->add_option("--reason", f->reason,
                                        validate ? "comment" : "why it is rejected (required)");
  if (!validate) reason->required();
  AddRequestIdFlag(cmd, &f->request_id);
  context.SetAction(cmd, [&context, f, validate] {
    return validate ? Decide(context, *f, &Stub::ValidateSubmission)
                    : Decide(context, *f, &Stub::RejectSubmission);
  });
}

}  // namespace

void RegisterMarginCommands(CLI::App& app, CommandContext& context) {
  CLI::App* margin =
      AddGroup(app, "margin", "Margin (risk capital) reports: submit them, read them, review them",
               "riskcap margin list --fund 1000 --state RECEIVED");
  AddSubmit(*margin, context);
  AddGet(*margin, context);
  AddList(*margin, context);
  AddDecide(*margin, context, true);
  AddDecide(*margin, context, false);
  AddMarginImport(*margin, context);
}

}  // namespace riskcap::client
