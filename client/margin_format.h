// MarginService results as tables: submissions (a list or one record) and receipts. Amounts are
// the server's exact decimal strings, unchanged.
#pragma once

#include <string>

#include "client/output.h"
#include "riskcap/v1/common.pb.h"
#include "riskcap/v1/margin.pb.h"

namespace riskcap::client {

// An empty table with one column per MarginSubmission field; long text (methodology, hashes,
// decision details) is left out of text rows.
Table SubmissionTable(Table::Layout layout);
void AddSubmission(const v1::MarginSubmission& submission, Table& table);

// A one-record table of `receipt`, with the request_id the submission was sent under.
Table ReceiptTable(const v1::SubmissionReceipt& receipt, const std::string& request_id);

}  // namespace riskcap::client
