// Pipeline order and the other pure rules of the job runner.
#include "core/job_pipeline.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/absl_compat.h"

namespace riskcap {
namespace {

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out.append(absl::StrFormat("\\u%04x", c));
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

}  // namespace

const std::vector<std::string>& PipelineJobs() {
  static const std::vector<std::string> jobs = {
      "nav_snapshot", "margin_ingest",     "nav_history",   "positions",
      "swaps",        "exposure_snapshot", "margin_status", "reminders"};
  return jobs;
}

absl::StatusOr<std::vector<std::string>> PipelineJobsFrom(std::string_view from_job) {
  const std::vector<std::string>& all = PipelineJobs();
  if (from_job.empty()) return all;
  auto it = std::find(all.begin(), all.end(), from_job);
  if (it == all.end()) {
    return absl::InvalidArgumentError(absl::StrCat("'", AbslView(from_job),
                                                   "' is not a pipeline job (one of ",
                                                   absl::StrJoin(all, ", "), ")"));
  }
  return std::vector<std::string>(it, all.end());
}

bool IsFinalJobState(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kFailed ||
         state == JobState::kCancelled;
}

double ProgressFraction(int64_t rows_done, int64_t rows_expected, bool final) {
  if (final) return 1.0;
  if (rows_expected <= 0 || rows_done <= 0) return 0.0;
  return std::min(1.0, static_cast<double>(rows_done) / static_cast<double>(rows_expected));
}

std::string ParamsJson(const std::map<std::string, std::string>& params) {
  std::string out = "{";
  for (const auto& [key, value] : params) {
    if (out.size() > 1) out.push_back(',');
    absl::StrAppend(&out, JsonString(key), ":", JsonString(value));
  }
  return out + "}";
}

}  // namespace riskcap
