// Deterministic synthetic rows for the ingest and pipeline scenarios: positions (a mix of OTC
// options, swaps, offshore funds and other assets), NAV snapshots and NAV history, all valid for
// the server's upload checks. The same (seed, index) always gives the same row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "riskcap/v1/common.pb.h"

namespace riskcap::bench {

// What every generated row of one run shares.
struct RowPlan {
  uint64_t seed = 1;
  std::vector<int64_t> fund_ids;  // rows cycle through these; must not be empty
  std::string date;               // "YYYY-MM-DD": position and NAV date (history ends here)
};

// Row `index` (0-based) of a positions batch. By index % 10: 0-2 OTC options, 3-5 OTC swaps,
// 6-7 offshore funds, 8-9 other assets; the fund is fund_ids[index % fund_ids.size()].
void GeneratePosition(const RowPlan& plan, int64_t index, v1::Position* out);

// The NAV snapshot row of fund_ids[index].
void GenerateNavSnapshot(const RowPlan& plan, int64_t index, v1::NavSnapshot* out);

// NAV history row `index`: fund fund_ids[index % n], date plan.date minus (index / n) days.
void GenerateNavHistory(const RowPlan& plan, int64_t index, v1::NavHistoryEntry* out);

// "-1234.56" from a signed number of hundredths: the exact decimal strings the API takes.
std::string Hundredths(int64_t hundredths);

}  // namespace riskcap::bench
