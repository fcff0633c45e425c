// Canonical content of margin submissions.
#include "core/margin_submission.h"

#include "absl/strings/str_cat.h"

namespace riskcap {

std::string CanonicalSubmissionContent(int64_t fund_id, Date reference_date, Money local_margin,
                                       Money offshore_margin, const std::string& methodology) {
  return absl::StrCat("fund_id=", fund_id, "\nreference_date=", FormatDate(reference_date),
                      "\nlocal_margin=", local_margin.ToString(),
                      "\noffshore_margin=", offshore_margin.ToString(),
                      "\nmethodology=", methodology);
}

}  // namespace riskcap
