// riskcap nav / exposure / positions: point-in-time reads of loaded data (SnapshotService).
#include <memory>
#include <string>

#include "client/command.h"
#include "client/proto_table.h"
#include "core/status_macros.h"
#include "riskcap/v1/snapshot.grpc.pb.h"

namespace riskcap::client {
namespace {

using Stub = v1::SnapshotService::Stub;

struct ReadFlags {
  int64_t fund = 0;
  std::string date, from, to;
  int version = 0;  // 0 = current
};

// The --date and --version pair of a point-in-time read.
template <typename Request>
void SetAsOf(const ReadFlags& f, Request& request) {
  request.set_as_of_date(f.date);
  if (f.version > 0) request.mutable_version()->set_value(f.version);
}

void AddFundFlag(CLI::App* cmd, ReadFlags& f) {
  cmd->add_option("--fund", f.fund, "fund id")->required()->check(CLI::PositiveNumber);
}

void AddAsOfFlags(CLI::App* cmd, ReadFlags& f) {
  cmd->add_option("--date", f.date, "as of this reference date, YYYY-MM-DD (default: latest)");
  cmd->add_option("--version", f.version, "that exact version of --date's loads (needs --date)")
      ->check(CLI::PositiveNumber);
}

// Reads every page of a list call: `call(request, page)` fetches, `add(page)` collects.
template <typename Request, typename Response, typename Call, typename Add>
absl::Status AllPages(Request request, Call call, Add add) {
  while (true) {
    Response page;
    RETURN_IF_ERROR(call(request, page));
    add(page);
    if (page.next_page_token().empty()) return absl::OkStatus();
    request.set_page_token(page.next_page_token());
  }
}

absl::Status NavGet(const CommandContext& context, const ReadFlags& f) {
  v1::GetNavSnapshotRequest request;
  request.set_fund_id(f.fund);
  SetAsOf(f, request);
  ASSIGN_OR_RETURN(auto snapshots, context.Open<v1::SnapshotService>());
  v1::NavSnapshot nav;
  RETURN_IF_ERROR(snapshots.Call(&Stub::GetNavSnapshot, request, &nav));
  context.Print(ProtoRecord(nav));
  return absl::OkStatus();
}

absl::Status NavHistory(const CommandContext& context, const ReadFlags& f) {
  v1::ListNavHistoryRequest request;
  request.set_fund_id(f.fund);
  request.set_start_date(f.from);
  request.set_end_date(f.to);
  request.set_page_size(1000);
  ASSIGN_OR_RETURN(auto snapshots, context.Open<v1::SnapshotService>());
  Table table = ProtoTable(*v1::NavHistoryEntry::descriptor(), Table::Layout::kRows);
  RETURN_IF_ERROR((AllPages<v1::ListNavHistoryRequest, v1::ListNavHistoryResponse>(
      request,
      [&](const auto& req, auto& page) {
        return snapshots.Call(&Stub::ListNavHistory, req, &page);
      },
      [&](const auto& page) {
        for (const auto& entry : page.entries()) table.AddRow(ProtoCells(entry));
      })));
  // Which load a row came from is set only for a --version read; otherwise the columns would
  // be empty and zero, meaning "none", on every line.
  table.HideBlankInTextRows({"reference_date", "version", "load_id", "job_run_id"});
  context.Print(table);
  return absl::OkStatus();
}

absl::Status ExposureGet(const CommandContext& context, const ReadFlags& f) {
  v1::GetExposureRequest request;
  request.set_fund_id(f.fund);
  SetAsOf(f, request);
  ASSIGN_OR_RETURN(auto snapshots, context.Open<v1::SnapshotService>());
  v1::FundExposure exposure;
  RETURN_IF_ERROR(snapshots.Call(&Stub::GetExposure, request, &exposure));
  context.Print(ProtoRecord(exposure));
  return absl::OkStatus();
}

absl::Status ExposureList(const CommandContext& context, const ReadFlags& f) {
  v1::ListExposuresRequest request;
  SetAsOf(f, request);
  request.set_page_size(1000);
  ASSIGN_OR_RETURN(auto snapshots, context.Open<v1::SnapshotService>());
  Table table = ProtoTable(*v1::FundExposure::descriptor(), Table::Layout::kRows);
  RETURN_IF_ERROR((AllPages<v1::ListExposuresRequest, v1::ListExposuresResponse>(
      request,
      [&](const auto& req, auto& page) { return snapshots.Call(&Stub::ListExposures, req, &page); },
      [&](const auto& page) {
        for (const auto& e : page.exposures()) table.AddRow(ProtoCells(e));
      })));
  context.Print(table);
  return absl::OkStatus();
}

absl::Status PositionsList(const CommandContext& context, const ReadFlags& f) {
  v1::ListPositionsRequest request;
  request.set_fund_id(f.fund);
  SetAsOf(f, request);
  request.set_page_size(1000);
  ASSIGN_OR_RETURN(auto snapshots, context.Open<v1::SnapshotService>());
  Table table = ProtoTable(*v1::Position::descriptor(), Table::Layout::kRows);
  table.HideInTextRows("asset_type_description").HideInTextRows("asset_leg_balance");
  table.HideInTextRows("liability_leg_balance").HideInTextRows("start_date");
  RETURN_IF_ERROR((AllPages<v1::ListPositionsRequest, v1::ListPositionsResponse>(
      request,
      [&](const auto& req, auto& page) { return snapshots.Call(&Stub::ListPositions, req, &page); },
      [&](const auto& page) {
        for (const auto& p : page.positions()) table.AddRow(ProtoCells(p));
      })));
  context.Print(table);
  return absl::OkStatus();
}

using Reader = absl::Status (*)(const CommandContext&, const ReadFlags&);

// A read command; `fund` adds --fund, `as_of` adds --date/--version.
CLI::App* AddRead(CLI::App& group, CommandContext& context, const std::string& name,
                  const std::string& description, const std::string& example, bool fund, bool as_of,
                  Reader reader, std::shared_ptr<ReadFlags> f) {
  CLI::App* cmd = AddCommand(group, name, description, example);
  if (fund) AddFundFlag(cmd, *f);
  if (as_of) AddAsOfFlags(cmd, *f);
  context.SetAction(cmd, [&context, f, reader] { return reader(context, *f); });
  return cmd;
}

}  // namespace

void RegisterSnapshotCommands(CLI::App& app, CommandContext& context) {
  CLI::App* nav = AddGroup(app, "nav", "Fund NAV: the loaded snapshot and the daily history",
                           "riskcap nav history --fund 1000 --from 2026-01-01 --to 2026-06-30");
  AddRead(*nav, context, "get", "Show a fund's NAV and risk metrics from a NAV snapshot load",
          "riskcap nav get --fund 1000 --date 2026-11-20 --version 2 -o json", true, true, NavGet,
          std::make_shared<ReadFlags>());
  auto history = std::make_shared<ReadFlags>();
  CLI::App* h = AddRead(*nav, context, "history",
                        "List a fund's opening and closing NAV per date, oldest first",
                        "riskcap nav history --fund 1000 --from 2026-01-01 --to 2026-06-30 -o csv",
                        true, false, NavHistory, history);
  h->add_option("--from", history->from, "first NAV date, YYYY-MM-DD (default: unbounded)");
  h->add_option("--to", history->to, "last NAV date, YYYY-MM-DD (default: unbounded)");

  CLI::App* exposure = AddGroup(app, "exposure", "Funds' exposure (OTC, offshore) per snapshot",
                                "riskcap exposure get --fund 1000");
  AddRead(*exposure, context, "get", "Show a fund's exposure by origin with its measures",
          "riskcap exposure get --fund 1000 --date 2026-11-20 --version 1", true, true, ExposureGet,
          std::make_shared<ReadFlags>());
  AddRead(*exposure, context, "list", "List every fund's exposure in one exposure snapshot",
          "riskcap exposure list --date 2026-11-20 -o csv", false, true, ExposureList,
          std::make_shared<ReadFlags>());

  CLI::App* positions = AddGroup(app, "positions", "Funds' positions per positions batch",
                                 "riskcap positions list --fund 1000");
  AddRead(*positions, context, "list", "List a fund's positions in a positions batch",
          "riskcap positions list --fund 1000 --date 2026-11-20 -o json", true, true, PositionsList,
          std::make_shared<ReadFlags>());
}

}  // namespace riskcap::client
