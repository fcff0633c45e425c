// Findings as table rows: every Finding field, the long message and actors hidden in text rows.
#pragma once

#include <vector>

#include "client/output.h"
#include "riskcap/v1/finding.pb.h"

namespace riskcap::client {

Table FindingTable(Table::Layout layout);
std::vector<Json> FindingCells(const v1::Finding& finding);
void AddFinding(const v1::Finding& finding, Table& table);

}  // namespace riskcap::client
