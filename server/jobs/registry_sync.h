// nav_snapshot's registry step: creates the managers and funds of the upstream funds/managers
// feeds that the store does not know yet, so an empty database fills itself. Existing managers
// and funds are NEVER changed (the registry is the administrator's, edited through FundService);
// differences are only counted and reported. All missing managers and funds are created in one
// transaction.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "server/jobs/job.h"
#include "server/sources/feed_source.h"

namespace riskcap::server::jobs {

struct RegistrySyncResult {
  int64_t managers_created = 0;
  int64_t funds_created = 0;
  int64_t funds_differing = 0;  // known funds whose upstream record differs (left unchanged)
  int64_t rows_read = 0;
};

// Reads "managers" and "funds" for the context's date from `source`, validates every row with the
// FundService checks (CNPJ, names, enums, caps) and creates what is missing. InvalidArgument
// (field paths "funds.rows[i].tax_id") when a row is bad: nothing is created then.
absl::StatusOr<RegistrySyncResult> SyncRegistry(const JobContext& context,
                                                const sources::FeedSource& source);

}  // namespace riskcap::server::jobs
