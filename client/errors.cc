// Exit codes and one-line error messages for the CLI.
#include "client/errors.h"

#include <iostream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace riskcap::client {
namespace {

constexpr size_t kMaxShownViolations = 5;

// `to` with the payloads of `from` added (field violations travel as a payload).
absl::Status CopyPayloads(const absl::Status& from, absl::Status to) {
  from.ForEachPayload(
      [&to](absl::string_view url, const absl::Cord& payload) { to.SetPayload(url, payload); });
  return to;
}

FieldErrors BadRequestViolations(const std::string& error_details) {
  FieldErrors errors;
  google::rpc::Status details;
  if (error_details.empty() || !details.ParseFromString(error_details)) return errors;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (!any.UnpackTo(&bad_request)) continue;
    for (const auto& v : bad_request.field_violations()) errors.Add(v.field(), v.description());
  }
  return errors;
}

}  // namespace

std::string ExitCodeHelp() {
  return "Exit codes:\n"
         "  0  success\n"
         "  1  other failure (internal server error, unimplemented call, ...)\n"
         "  2  usage: the command line is wrong\n"
         "  3  invalid input: a field or the input file is wrong (the message names it)\n"
         "  4  not found\n"
         "  5  authentication failed or permission denied\n"
         "  6  server unavailable or deadline exceeded (safe to retry)\n"
         "  7  conflict: already exists, or the resource's state does not allow the call\n";
}

int ExitCodeFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return kExitInvalidInput;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kExitDenied;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitUnavailable;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
      return kExitConflict;
    default:
      return kExitOther;
  }
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  // gRPC and Abseil share the canonical code numbering.
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  FieldErrors errors = BadRequestViolations(status.error_details());
  return errors.empty() ? out : CopyPayloads(errors.ToStatus(), out);
}

absl::Status WithHint(const absl::Status& status, std::string_view hint) {
  std::string message = status.message().empty()
                            ? std::string(hint)
                            : absl::StrCat(status.message(), " (", AbslView(hint), ")");
  absl::Status hinted(status.code(), message);
  return CopyPayloads(status, hinted);
}

std::string DescribeError(const absl::Status& status) {
  std::string code = absl::AsciiStrToLower(absl::StatusCodeToString(status.code()));
  absl::StrReplaceAll({{"_", " "}}, &code);
  std::vector<FieldViolation> violations = FieldViolationsOf(status);
  std::string detail;
  for (size_t i = 0; i < violations.size() && i < kMaxShownViolations; ++i) {
    absl::StrAppend(&detail, i == 0 ? "" : "; ", violations[i].field, ": ",
                    violations[i].description);
  }
  if (violations.size() > kMaxShownViolations) {
    absl::StrAppend(&detail, " (and ", violations.size() - kMaxShownViolations, " more)");
  }
  if (violations.empty()) detail = std::string(status.message());
  std::string line = absl::StrCat(code, ": ", detail);
  absl::StrReplaceAll({{"\r", " "}, {"\n", " "}}, &line);
  return line;
}

constexpr char kExitCodePayload[] = "riskcap.client/exit_code";

absl::Status WithExitCode(absl::Status status, int exit_code) {
  status.SetPayload(kExitCodePayload, absl::Cord(std::to_string(exit_code)));
  return status;
}

int ReportError(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  std::cerr << "riskcap: " << DescribeError(status) << std::endl;
  if (auto code = status.GetPayload(kExitCodePayload)) return std::stoi(std::string(*code));
  return ExitCodeFor(status.code());
}

}  // namespace riskcap::client
