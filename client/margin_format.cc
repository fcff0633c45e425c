// Table layouts of margin submissions and receipts.
#include "client/margin_format.h"

#include "client/proto_format.h"

namespace riskcap::client {

Table SubmissionTable(Table::Layout layout) {
  Table table({"submission_id", "fund_id", "manager_id", "reference_date", "local_margin",
               "offshore_margin", "consolidated_margin", "state", "receive_time", "submitted_by",
               "decided_by", "decision_time", "decision_reason", "request_id", "content_hash",
               "methodology"},
              layout);
  for (const char* column : {"submitted_by", "decision_time", "decision_reason", "request_id",
                             "content_hash", "methodology"}) {
    table.HideInTextRows(column);
  }
  return table;
}

void AddSubmission(const v1::MarginSubmission& s, Table& table) {
  table.AddRow({s.submission_id(), s.fund_id(), s.manager_id(), s.reference_date(),
                s.local_margin(), s.offshore_margin(), s.consolidated_margin(), EnumText(s.state()),
                TimestampCell(s.receive_time(), s.has_receive_time()), s.submitted_by(),
                s.decided_by(), TimestampCell(s.decision_time(), s.has_decision_time()),
                s.decision_reason(), s.request_id(), s.content_hash(), s.methodology()});
}

Table ReceiptTable(const v1::SubmissionReceipt& receipt, const std::string& request_id) {
  Table table(
      {"submission_id", "request_id", "receive_time", "content_hash", "next_due_date", "replayed"},
      Table::Layout::kRecord);
  table.AddRow({receipt.submission_id(), request_id,
                TimestampCell(receipt.receive_time(), receipt.has_receive_time()),
                receipt.content_hash(), receipt.next_due_date(), receipt.replayed()});
  return table;
}

}  // namespace riskcap::client
