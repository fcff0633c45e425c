// What the HTML dashboard shows, as plain values: filled from RPCs by GatherDashboardData
// (report_gather.cc) or by a test, and turned into HTML by RenderDashboardHtml (report_html.cc).
// Money is kept as the API's exact decimal strings ("1234.50"); "" means absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace riskcap::client {

// The overview's KPI tiles, over the monitored funds of one status snapshot.
struct DashboardKpis {
  int monitored = 0;                      // funds exposed OTC or offshore
  int validated = 0;                      // RECEIVED_VALIDATED
  int received = 0;                       // validated + RECEIVED_NOT_VALIDATED
  int pending = 0;                        // NOT_RECEIVED
  int otc_funds = 0, offshore_funds = 0;  // by consolidated exposure
  int overdue = 0, breach = 0, warning = 0;
};

// One row of the submission tracking table (one fund of the status snapshot).
struct TrackingRow {
  int64_t fund_id = 0;
  std::string fund_name, manager_name, regulatory_class, audience, exposure;
  std::string last_submission_date, next_due_date;  // "YYYY-MM-DD" or ""
  int days_to_due = 0;
  std::string deadline_status, validation_status, limit_status;  // enum names without prefix
  std::optional<double> utilisation;                             // fraction of NAV
};

// One month of a fund's chart; a missing figure is absent.
struct MonthPoint {
  std::string month;  // "YYYY-MM"
  std::optional<double> nav, margin, offshore_exposure;
};

// One row of a fund's positions table.
struct PositionRow {
  std::string position_date, asset_nickname, isin, description, classification;
  std::string notional, market_value;  // exact decimal strings
};

// One fund's page section.
struct FundView {
  int64_t fund_id = 0;
  std::string fund_name, manager_name, regulatory_class, audience, exposure, currency = "BRL";
  std::string deadline_status, validation_status, last_submission_date, next_due_date;
  std::string methodology;  // of the effective submission, "" when none
  std::string nav, gross_margin;
  std::optional<double> utilisation, cap;  // fractions of NAV
  std::string limit_status;
  std::vector<MonthPoint> history;  // oldest first, up to 12 months
  std::vector<PositionRow> positions;
};

struct DashboardData {
  std::string status_date;  // reference date of the status snapshot shown
  int status_version = 0;
  std::string generated_at;  // when the report was made, UTC
  DashboardKpis kpis;
  std::vector<std::pair<std::string, int>> funds_per_class;  // monitored funds, class -> count
  std::vector<TrackingRow> tracking;
  std::vector<FundView> funds;
};

// A self-contained HTML page (inline CSS and SVG, a small inline sort script, no network
// assets) with the overview, submission tracking and one fund view per entry of data.funds.
// Pure: the same data gives the same bytes.
std::string RenderDashboardHtml(const DashboardData& data);

}  // namespace riskcap::client
