// riskcap status: per-fund submission and risk capital status, and the KPI summary
// (RiskService.ListFundStatus, GetRiskCapitalSummary).
#include <map>
#include <memory>
#include <set>
#include <string>

#include "client/command.h"
#include "client/explain_format.h"
#include "client/proto_format.h"
#include "client/proto_table.h"
#include "client/status_format.h"
#include "core/status_macros.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "riskcap/v1/risk.grpc.pb.h"

namespace riskcap::client {
namespace {

using Stub = v1::RiskService::Stub;

absl::StatusOr<std::map<int64_t, v1::RegulatoryClass>> FundClasses(const CommandContext& context) {
  ASSIGN_OR_RETURN(auto funds, context.Open<v1::FundService>());
  v1::ListFundsRequest request;
  request.set_include_inactive(true);
  request.set_page_size(1000);
  std::map<int64_t, v1::RegulatoryClass> classes;
  while (true) {
    v1::ListFundsResponse page;
    RETURN_IF_ERROR(funds.Call(&v1::FundService::Stub::ListFunds, request, &page));
    for (const v1::Fund& f : page.funds()) classes[f.fund_id()] = f.regulatory_class();
    if (page.next_page_token().empty()) return classes;
    request.set_page_token(page.next_page_token());
  }
}

// --fund names one fund: an unknown one is NOT_FOUND and another manager's PERMISSION_DENIED,
// exactly as `riskcap fund get` says, rather than an empty table.
absl::Status CheckFund(const CommandContext& context, int64_t fund_id) {
  ASSIGN_OR_RETURN(auto funds, context.Open<v1::FundService>());
  v1::GetFundRequest request;
  request.set_fund_id(fund_id);
  v1::Fund fund;
  return funds.Call(&v1::FundService::Stub::GetFund, request, &fund);
}

absl::Status List(const CommandContext& context, const StatusFlags& f) {
  ASSIGN_OR_RETURN(v1::ListFundStatusRequest request, StatusRequest(f));
  if (f.fund > 0) RETURN_IF_ERROR(CheckFund(context, f.fund));
  std::map<int64_t, v1::RegulatoryClass> classes;
  if (!f.regulatory_class.empty()) {
    ASSIGN_OR_RETURN(classes, FundClasses(context));
  }
  ASSIGN_OR_RETURN(auto risk, context.Open<v1::RiskService>());
  Table table = StatusTable();
  while (true) {
    v1::ListFundStatusResponse page;
    RETURN_IF_ERROR(risk.Call(&Stub::ListFundStatus, request, &page));
    for (const v1::FundStatus& s : page.statuses()) {
      auto cls = classes.find(s.fund_id());
      v1::RegulatoryClass regulatory_class =
          cls == classes.end() ? v1::REGULATORY_CLASS_UNSPECIFIED : cls->second;
      if (KeepStatus(f, s, regulatory_class)) table.AddRow(ProtoCells(s));
    }
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  context.Print(table);
  return absl::OkStatus();
}

absl::Status Summary(const CommandContext& context, const StatusFlags& f) {
  v1::GetRiskCapitalSummaryRequest request;
  request.set_as_of_date(f.date);
  if (f.version > 0) request.mutable_version()->set_value(f.version);
  request.set_manager_id(f.manager);
  ASSIGN_OR_RETURN(auto risk, context.Open<v1::RiskService>());
  v1::RiskCapitalSummary summary;
  RETURN_IF_ERROR(risk.Call(&Stub::GetRiskCapitalSummary, request, &summary));
  context.Print(context.output_format() == OutputFormat::kTable ? SummaryTable(summary)
                                                                 : ProtoRecord(summary));
  return absl::OkStatus();
}

// --explain: one fund's status, its inputs and arithmetic (RiskService.ExplainFundStatus).
absl::Status Explain(const CommandContext& context, const StatusFlags& f) {
  if (f.fund <= 0) return absl::InvalidArgumentError("--explain needs --fund");
  if (f.version > 0 && f.date.empty()) {
    return absl::InvalidArgumentError("--version needs --date");
  }
  v1::ExplainFundStatusRequest request;
  request.set_fund_id(f.fund);
  request.set_as_of_date(f.date);
  if (f.version > 0) request.mutable_version()->set_value(f.version);
  request.set_recompute(f.recompute);
  ASSIGN_OR_RETURN(auto risk, context.Open<v1::RiskService>());
  v1::FundStatusExplanation explanation;
  RETURN_IF_ERROR(risk.Call(&Stub::ExplainFundStatus, request, &explanation));
  const Json document = ExplanationDocument(explanation);
  context.Print(ExplanationTable(explanation), &document);
  return RecomputationOutcome(explanation);
}

absl::Status Run(const CommandContext& context, const StatusFlags& f) {
  if (f.recompute && !f.explain) return absl::InvalidArgumentError("--recompute needs --explain");
  if (f.explain) return Explain(context, f);
  return f.summary ? Summary(context, f) : List(context, f);
}

template <typename E>
void AddEnumOption(CLI::App* cmd, const std::string& name, std::string& value,
                   const std::string& help) {
  cmd->add_option(name, value, help)->check(CLI::IsMember(EnumTexts<E>(), CLI::ignore_case));
}

}  // namespace

void RegisterStatusCommands(CLI::App& app, CommandContext& context) {
  CLI::App* cmd = app.add_subcommand(
      "status",
      "Per-fund monitoring status from the latest (or --date) status snapshot: deadline,\n"
      "validation and risk capital against the cap. Monitored (exposed) funds only, unless\n"
      "--exposure NONE or --all-funds. --summary prints the KPIs instead; --fund N --explain\n"
      "explains one fund's figures (and --recompute checks them)");
  cmd->footer(
      "Examples:\n  riskcap status --overdue --class MULTIMERCADO\n  riskcap status --fund 1000\n"
      "  riskcap status --limit BREACH -o csv\n  riskcap status --summary --date 2026-11-20\n"
      "  riskcap status --fund 1000 --date 2026-11-20 --explain --recompute\n\n"
      "Connection and output flags (--server, --token, --output, ...) and exit codes: "
      "riskcap --help");
  auto f = std::make_shared<StatusFlags>();
  cmd->add_flag("--overdue", f->overdue, "only funds whose next due date has passed");
  AddEnumOption<v1::DeadlineStatus>(cmd, "--deadline", f->deadline, "only this deadline status");
  AddEnumOption<v1::ValidationStatus>(cmd, "--validation", f->validation,
                                      "only this validation status");
  AddEnumOption<v1::LimitStatus>(cmd, "--limit", f->limit, "only this risk capital limit status");
  AddEnumOption<v1::RegulatoryClass>(cmd, "--class", f->regulatory_class,
                                     "only funds of this regulatory class");
  AddEnumOption<v1::ExposureOrigin>(cmd, "--exposure", f->exposure,
                                    "only funds with this consolidated exposure");
  cmd->add_option("--manager", f->manager, "only this manager's funds")->check(CLI::PositiveNumber);
  cmd->add_option("--fund", f->fund, "only this fund")->check(CLI::PositiveNumber);
  cmd->add_option("--date", f->date, "status snapshot of this reference date (default: latest)");
  cmd->add_option("--version", f->version, "that exact version of --date's snapshots")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--all-funds", f->all_funds, "include funds that are not monitored");
  cmd->add_flag("--summary", f->summary,
                "print the KPI summary (counts, on-time rate, maximum utilisation) instead");
  cmd->add_flag("--explain", f->explain,
                "explain --fund's status: every input with its identity and each step of the\n"
                "arithmetic in words and numbers")
      ->excludes("--summary");
  cmd->add_flag("--recompute", f->recompute,
                "with --explain: recompute the status from the stored inputs and say whether it\n"
                "equals the stored one exactly (exit code 1 when it does not)");
  context.SetAction(cmd, [&context, f] { return Run(context, *f); });
}

}  // namespace riskcap::client
