// Explaining a stored status row (docs/rules.md, "Explaining a status figure"): which inputs a
// margin_status run read, each step of the row's arithmetic in words and numbers, and an exact
// figure-by-figure comparison of two rows over their canonical lines. Pure: thread-safe, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/rules/fund_status_row.h"

namespace riskcap::rules {

// What one MARGIN_STATUS snapshot version was computed from, as its run recorded it.
struct StatusInputIds {
  std::optional<int64_t> nav_version_id;        // the NAV_SNAPSHOT version of the date
  std::optional<int64_t> exposure_version_id;   // the EXPOSURE version current on the date
  std::optional<int64_t> positions_version_id;  // that exposure's POSITIONS batch
  std::string rules_config;                     // FormatRulesConfig of the policy used
  bool operator==(const StatusInputIds&) const = default;
};

// The names of CanonicalLine's fields, in its order (a margin component contributes its amount,
// "<name>_source" and "<name>_date").
const std::vector<std::string_view>& CanonicalFieldNames();

// The fields of a canonical line, unescaped (core/canonical.h conventions).
std::vector<std::string> SplitCanonicalLine(std::string_view line);

// The row's canonical value of `figure` (a CanonicalFieldNames() entry); empty when absent or
// unknown.
std::string CanonicalValue(const FundStatusRow& row, std::string_view figure);

struct FigureDifference {
  std::string figure;
  std::string stored;
  std::string recomputed;
};

// The canonical figures where `recomputed` differs from `stored`, in canonical order; empty when
// their canonical lines are equal.
std::vector<FigureDifference> CompareRows(const FundStatusRow& stored,
                                          const FundStatusRow& recomputed);

// Facts behind a row's figures that the row itself does not hold.
struct ExplanationFacts {
  std::optional<double> exchange_margin_pct;  // of the NAV snapshot used
  std::optional<double> class_cap;            // the class cap in the configuration used
  std::optional<double> bylaws_cap;           // the fund's bylaws cap
  double warning_fraction = 0.8;              // of the configuration used
  std::optional<Date> previous_date;          // the fund's previous result, if any
  std::optional<Date> previous_breach_start;  // that result's breach start
};

struct ExplanationStep {
  std::string name;   // exposure, deadline, ..., breach (docs/rules.md)
  std::string value;  // the row's canonical value of the step's figure
  std::string text;   // the step in words and numbers
};

// The row's arithmetic, step by step, from the stored figures.
std::vector<ExplanationStep> ExplainRow(const FundStatusRow& row, const ExplanationFacts& facts);

}  // namespace riskcap::rules
