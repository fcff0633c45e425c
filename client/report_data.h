// What the HTML dashboard shows, as plain values: filled from RPCs by GatherDashboardData
// (report_gather.cc) or by a test, and turned into HTML by RenderDashboardHtml (report_html.cc).
// Money is kept as the API's exact decimal strings ("1234.50"); "" means absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace riskcap::client {

// One monitored fund of the status snapshot: a row of the submission table and the input of
// the overview's tiles and charts, which the page's script recomputes over the filtered rows.
struct TrackingRow {
  int64_t fund_id = 0;
  std::string fund_name, manager_name;
  std::string regulatory_class, audience, exposure;  // enum names without prefix
  std::string last_submission_date, next_due_date;   // "YYYY-MM-DD" or ""
  std::string validation_date;  // when the effective submission was validated, or ""
  int days_to_due = 0;
  std::string deadline_status, validation_status, limit_status;  // enum names without prefix
  std::string nav, gross_margin;           // exact decimal strings, "" when absent
  std::optional<double> utilisation, cap;  // fractions of NAV; no cap = not applicable
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
  std::string validation_date;
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
  std::string generated_at;           // when the report was made, UTC
  std::vector<TrackingRow> tracking;  // every monitored fund
  std::vector<FundView> funds;
};

// A self-contained HTML page (inline CSS, SVG and script, the rows embedded as JSON, no network
// assets): filters, the overview, the submission table and one fund view per entry of
// data.funds; the script redraws tiles, charts and table for the filtered rows and marks
// <body data-status="ready"> when it has drawn them. Pure: the same data gives the same bytes.
std::string RenderDashboardHtml(const DashboardData& data);

}  // namespace riskcap::client
