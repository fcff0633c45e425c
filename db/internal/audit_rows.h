// Reading audit_log rows: the content columns every reader selects, decoded in one place (the
// list RPCs' reader and the chain's sealer and verifier alike).
#pragma once

#include "core/audit.h"
#include "db/internal/row_reader.h"

namespace riskcap::db {

// A record's columns: its id, then the content ReadAuditContent decodes, in that order.
inline constexpr char kAuditRowColumns[] =
    "id, at_us, principal, method, request_id, outcome, detail";
inline constexpr const char* kAuditContentColumns = kAuditRowColumns + sizeof("id, ") - 1;

// The record's content from `r`'s next columns (kAuditContentColumns); `id` is left 0.
AuditRecord ReadAuditContent(RowReader& r);

}  // namespace riskcap::db
