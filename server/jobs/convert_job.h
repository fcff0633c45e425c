// Job runs and job kinds: proto <-> core.
#pragma once

#include <optional>
#include <string>

#include "core/field_errors.h"
#include "core/job_run.h"
#include "riskcap/v1/job.pb.h"

namespace riskcap::server {

// JOB_KIND_NAV_SNAPSHOT <-> "nav_snapshot". An unknown name gives JOB_KIND_UNSPECIFIED.
std::string JobNameOf(v1::JobKind kind);
v1::JobKind JobKindOf(const std::string& name);

// Core -> proto. progress_fraction is rows_read / rows_expected while the run is active (for a
// pipeline: its finished jobs out of its jobs) and 1 once final.
void ToProto(const JobRun& in, v1::JobRun* out);

}  // namespace riskcap::server
