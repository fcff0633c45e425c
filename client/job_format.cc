// Job names, parameters and run display.
#include "client/job_format.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "client/proto_format.h"
#include "client/proto_table.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"

namespace riskcap::client {
namespace {

constexpr int kBarWidth = 20;

int JobColumn() {
  static const int column = [] {
    std::vector<std::string> columns = ProtoColumns(*v1::JobRun::descriptor());
    return static_cast<int>(std::find(columns.begin(), columns.end(), "job") - columns.begin());
  }();
  return column;
}

}  // namespace

std::string JobName(v1::JobKind kind) { return absl::AsciiStrToLower(EnumText(kind)); }

std::optional<v1::JobKind> ParseJobName(std::string_view name) {
  std::string text = absl::StrReplaceAll(AbslView(name), {{"-", "_"}});
  return ParseEnumText<v1::JobKind>(text);
}

std::vector<std::string> JobNames() {
  std::vector<std::string> names;
  for (const std::string& text : EnumTexts<v1::JobKind>()) {
    names.push_back(absl::AsciiStrToLower(text));
  }
  return names;
}

absl::StatusOr<std::map<std::string, std::string>> ParseParams(
    const std::vector<std::string>& items) {
  std::map<std::string, std::string> params;
  for (const std::string& item : items) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return FieldError("--param", absl::StrCat("must be key=value, got \"", item, "\""));
    }
    if (!params.emplace(item.substr(0, eq), item.substr(eq + 1)).second) {
      return FieldError("--param", absl::StrCat("key \"", item.substr(0, eq), "\" is repeated"));
    }
  }
  return params;
}

Table JobRunTable(Table::Layout layout) {
  Table table = ProtoTable(*v1::JobRun::descriptor(), layout);
  for (const char* column : {"parameters", "request_id", "triggered_by", "create_time",
                             "output_content_hash", "output_load_id", "progress_message"}) {
    table.HideInTextRows(column);
  }
  return table;
}

void AddJobRun(const v1::JobRun& run, Table& table) {
  std::vector<Json> cells = ProtoCells(run);
  cells[JobColumn()] = JobName(run.job());
  table.AddRow(std::move(cells));
}

Json JobRunObject(const v1::JobRun& run) {
  Table table = JobRunTable(Table::Layout::kRecord);
  AddJobRun(run, table);
  return table.ToJson();
}

std::string JobWatchLine(const v1::JobRun& run) {
  std::string line =
      absl::StrCat("job ", run.job_run_id(), " ", JobName(run.job()), " ", EnumText(run.state()));
  if (run.state() == v1::JOB_RUN_STATE_RUNNING) {
    absl::StrAppend(&line, " ", static_cast<int>(std::floor(run.progress_fraction() * 100)), "%");
  }
  if (run.state() == v1::JOB_RUN_STATE_SUCCEEDED) {
    absl::StrAppend(&line, " rows_written=", run.rows_written());
  } else if (!run.error_message().empty()) {
    absl::StrAppend(&line, ": ", run.error_message());
  } else if (!run.progress_message().empty()) {
    absl::StrAppend(&line, " ", run.progress_message());
  }
  return line;
}

std::string JobProgressBar(const v1::JobRun& run) {
  double fraction = std::clamp(run.progress_fraction(), 0.0, 1.0);
  if (run.state() == v1::JOB_RUN_STATE_SUCCEEDED) fraction = 1;
  int filled = static_cast<int>(std::floor(fraction * kBarWidth));
  return absl::StrCat("[", std::string(filled, '#'), std::string(kBarWidth - filled, ' '), "] ",
                      JobWatchLine(run));
}

bool IsFinal(v1::JobRunState state) {
  return state == v1::JOB_RUN_STATE_SUCCEEDED || state == v1::JOB_RUN_STATE_FAILED ||
         state == v1::JOB_RUN_STATE_CANCELLED;
}

}  // namespace riskcap::client
