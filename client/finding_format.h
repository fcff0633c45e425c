// Findings as table rows: every Finding field, the long message and actors hidden in text rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/output.h"
#include "riskcap/v1/finding.pb.h"

namespace riskcap::client {

Table FindingTable(Table::Layout layout);
std::vector<Json> FindingCells(const v1::Finding& finding);
void AddFinding(const v1::Finding& finding, Table& table);

// The line `finding watch` writes on stderr before it waits, so an idle watch is visibly alive:
// "riskcap: watching for new findings (replaying those after id 120 first); Ctrl-C stops".
std::string WatchingLine(int64_t after);

}  // namespace riskcap::client
