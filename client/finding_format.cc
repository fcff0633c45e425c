// Finding table layout.
#include "client/finding_format.h"

#include "absl/strings/str_cat.h"
#include "client/proto_table.h"

namespace riskcap::client {

Table FindingTable(Table::Layout layout) {
  Table table = ProtoTable(*v1::Finding::descriptor(), layout);
  for (const char* column : {"job_run_id", "create_time", "acknowledge_time", "acknowledged_by",
                             "resolve_time", "resolved_by", "resolution"}) {
    table.HideInTextRows(column);
  }
  return table;
}

std::vector<Json> FindingCells(const v1::Finding& finding) { return ProtoCells(finding); }

void AddFinding(const v1::Finding& finding, Table& table) { table.AddRow(FindingCells(finding)); }

std::string WatchingLine(int64_t after) {
  return absl::StrCat("riskcap: watching for new findings",
                      after > 0 ? absl::StrCat(" (replaying those after id ", after, " first)")
                                : std::string(),
                      "; Ctrl-C stops\n");
}

}  // namespace riskcap::client
