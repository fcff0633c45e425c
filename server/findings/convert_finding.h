// Proto <-> core conversion for FindingService: findings, reminders and the list filters.
#pragma once

#include "core/field_errors.h"
#include "core/finding.h"
#include "db/store.h"
#include "riskcap/v1/finding.pb.h"

namespace riskcap::server {

void ToProto(const Finding& finding, v1::Finding* out);
void ToProto(const Reminder& reminder, v1::Reminder* out);

// The store filter of a ListFindings request; bad values are recorded in `errors`.
db::FindingFilter FindingFilterFromProto(const v1::ListFindingsRequest& request,
                                         FieldErrors& errors);

// Whether `finding` passes a WatchFindings request's filters.
bool WatchMatches(const v1::WatchFindingsRequest& request, const Finding& finding);

}  // namespace riskcap::server
