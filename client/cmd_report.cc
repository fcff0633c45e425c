// riskcap report: the HTML dashboard (overview, submission tracking, fund views) in one file.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/report_data.h"
#include "client/report_gather.h"

namespace riskcap::client {
namespace {

struct ReportFlags {
  std::string out;
  ReportOptions options;
};

// Without --out the dashboard goes to the temporary directory, never into the directory the
// command runs in (often a source tree).
std::string OutputPath(const std::string& out) {
  if (!out.empty()) return out;
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  return ((ec ? std::filesystem::path("/tmp") : dir) / "riskcap-dashboard.html").string();
}

absl::Status WriteReport(const CommandContext& context, const ReportFlags& flags) {
  ASSIGN_OR_RETURN(DashboardData data, GatherDashboardData(context, flags.options));
  std::string html = RenderDashboardHtml(data);
  const std::string out = OutputPath(flags.out);
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << html;
  file.close();
  if (!file) return absl::InvalidArgumentError(absl::StrCat("--out: cannot write ", out));
  std::cerr << "wrote " << out << " (" << html.size() << " bytes, status of "
            << data.status_date << ", " << data.funds.size() << " fund views)\n";
  return absl::OkStatus();
}

}  // namespace

void RegisterReportCommands(CLI::App& app, CommandContext& context) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* report = AddCommand(
      app, "report",
      "Writes the HTML dashboard: filters (class, exposure, deadline, validation and limit "
      "status, manager, fund search), overview KPIs and charts, the submission table and fund "
      "views (NAV, margin and offshore exposure over 12 months, risk capital against its cap, "
      "positions). One self-contained file: open it in any browser, no network needed.",
      "riskcap report --out build/dashboard.html --date 2026-11-24 --fund 1000 --fund 1003");
  report->add_option("--out", flags->out,
                     "HTML file to write; missing directories are created (default: "
                     "riskcap-dashboard.html in the temporary directory, e.g. /tmp)");
  report->add_option("--date", flags->options.date,
                     "status snapshot date YYYY-MM-DD (default: the latest)");
  report->add_option("--fund", flags->options.funds,
                     "fund to show a fund view for (repeatable; default: the 3 highest "
                     "utilisations among funds with a cap)");
  context.SetAction(report, [&context, flags] { return WriteReport(context, *flags); });
}

}  // namespace riskcap::client
