// Job runs and job kinds: proto <-> core.
#include "server/jobs/convert_job.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/job_pipeline.h"
#include "server/jobs/job_params.h"
#include "server/rpc/convert_common.h"

namespace riskcap::server {

constexpr char kKindPrefix[] = "JOB_KIND_";

std::string JobNameOf(v1::JobKind kind) {
  std::string name = v1::JobKind_Name(kind);
  if (kind == v1::JOB_KIND_UNSPECIFIED || !absl::StartsWith(name, kKindPrefix)) return "";
  return absl::AsciiStrToLower(name.substr(sizeof(kKindPrefix) - 1));
}

v1::JobKind JobKindOf(const std::string& name) {
  v1::JobKind kind = v1::JOB_KIND_UNSPECIFIED;
  if (name.empty() || !v1::JobKind_Parse(absl::StrCat(kKindPrefix, absl::AsciiStrToUpper(name)),
                                         &kind)) {
    return v1::JOB_KIND_UNSPECIFIED;
  }
  return kind;
}

void ToProto(const JobRun& in, v1::JobRun* out) {
  out->set_job_run_id(in.id);
  out->set_job(JobKindOf(in.job));
  out->set_reference_date(FormatDate(in.reference_date));
  if (auto params = jobs::ParseParamsJson(in.params_json); params.ok()) {
    for (const auto& [key, value] : *params) (*out->mutable_parameters())[key] = value;
  }
  out->set_state(ToProtoEnum<JobState, v1::JobRunState>(in.state));
  out->set_parent_job_run_id(in.parent_run_id.value_or(0));
  out->set_request_id(in.request_id);
  out->set_triggered_by(in.triggered_by);
  ToProtoTime(in.queued_at, out->mutable_create_time());
  if (in.started_at) ToProtoTime(*in.started_at, out->mutable_start_time());
  if (in.finished_at) ToProtoTime(*in.finished_at, out->mutable_end_time());
  out->set_rows_read(in.rows_read);
  out->set_rows_written(in.rows_written);
  out->set_output_content_hash(in.output_hash);
  out->set_output_load_id(in.output_version_id.value_or(0));
  out->set_error_message(in.error);
  out->set_progress_fraction(
      ProgressFraction(in.rows_read, in.rows_expected, IsFinalJobState(in.state)));
  out->set_progress_message(in.progress_message);
}

}  // namespace riskcap::server
