// Domain enumerations and their canonical text names (as stored in the database and shown to users).
#pragma once

#include <array>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"

namespace riskcap {

enum class Role { kManager, kAnalyst, kService, kAdmin };
enum class RegulatoryClass { kMultimercado, kAcoes, kRendaFixa, kCambial, kFidc, kFii, kOther };
enum class TargetAudience { kGeneral, kQualified, kProfessional };
enum class SubmissionState { kReceived, kValidated, kRejected };
enum class PositionClassification { kOtcOption, kOtcSwap, kOffshoreFund, kForeignInvestment, kOther };
enum class OtcAssetClass { kInterestRate, kFx, kCredit, kEquity, kCommodity };
enum class JobState { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
enum class FindingSeverity { kInfo, kWarning, kCritical };
enum class FindingState { kOpen, kAcknowledged, kResolved };
// What a snapshot version holds; one version sequence per (kind, reference date).
enum class SnapshotKind { kNavSnapshot, kNavHistory, kPositions, kExposure, kMarginStatus };

// Name tables: the text of each enumerator, in declaration order.
template <typename E>
struct EnumNames;

#define RISKCAP_ENUM_NAMES(E, ...)                                        \
  template <>                                                             \
  struct EnumNames<E> {                                                   \
    static constexpr std::string_view kType = #E;                         \
    static constexpr auto kNames = std::to_array<std::string_view>({__VA_ARGS__}); \
  }

RISKCAP_ENUM_NAMES(Role, "MANAGER", "ANALYST", "SERVICE", "ADMIN");
RISKCAP_ENUM_NAMES(RegulatoryClass, "MULTIMERCADO", "ACOES", "RENDA_FIXA", "CAMBIAL", "FIDC", "FII",
                   "OTHER");
RISKCAP_ENUM_NAMES(TargetAudience, "GENERAL", "QUALIFIED", "PROFESSIONAL");
RISKCAP_ENUM_NAMES(SubmissionState, "RECEIVED", "VALIDATED", "REJECTED");
RISKCAP_ENUM_NAMES(PositionClassification, "OTC_OPTION", "OTC_SWAP", "OFFSHORE_FUND",
                   "FOREIGN_INVESTMENT", "OTHER");
RISKCAP_ENUM_NAMES(OtcAssetClass, "IR", "FX", "CREDIT", "EQUITY", "COMMODITY");
RISKCAP_ENUM_NAMES(JobState, "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED");
RISKCAP_ENUM_NAMES(FindingSeverity, "INFO", "WARNING", "CRITICAL");
RISKCAP_ENUM_NAMES(FindingState, "OPEN", "ACKNOWLEDGED", "RESOLVED");
RISKCAP_ENUM_NAMES(SnapshotKind, "NAV_SNAPSHOT", "NAV_HISTORY", "POSITIONS", "EXPOSURE",
                   "MARGIN_STATUS");
#undef RISKCAP_ENUM_NAMES

// The canonical name of `value`, e.g. EnumName(Role::kAdmin) == "ADMIN".
template <typename E>
constexpr std::string_view EnumName(E value) {
  return EnumNames<E>::kNames[static_cast<size_t>(value)];
}

// Parses a canonical name; InvalidArgument naming the type and the accepted values otherwise.
template <typename E>
absl::StatusOr<E> ParseEnum(std::string_view text) {
  const auto& names = EnumNames<E>::kNames;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  std::string accepted;
  for (std::string_view n : names) absl::StrAppend(&accepted, accepted.empty() ? "" : ", ", AbslView(n));
  return absl::InvalidArgumentError(absl::StrCat("unknown ", AbslView(EnumNames<E>::kType), " '", AbslView(text),
                                                 "' (expected one of ", accepted, ")"));
}

}  // namespace riskcap
