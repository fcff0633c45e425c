// The chain walk behind `audit verify`: signatures first, then each position in order.
#include "db/audit_verify.h"

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace riskcap::db {
namespace {

AuditVerification Broken(AuditBreak reason, int64_t position, std::string detail) {
  AuditVerification v;
  v.reason = reason;
  v.position = position;
  v.detail = std::move(detail);
  return v;
}

// A checkpoint's signature under its own key, and its key against the trusted one.
std::optional<AuditVerification> CheckSignature(const AuditCheckpoint& c, const std::string& what,
                                                const std::string& trusted) {
  if (absl::Status st = VerifyAuditCheckpoint(c); !st.ok()) {
    return Broken(AuditBreak::kSignatureInvalid, c.position,
                  absl::StrCat(what, " at position ", c.position, ": ", st.message()));
  }
  if (!trusted.empty() && c.public_key != trusted) {
    return Broken(AuditBreak::kSignatureInvalid, c.position,
                  absl::StrCat(what, " at position ", c.position, " is signed by key ",
                               c.public_key, ", not the trusted key ", trusted));
  }
  return std::nullopt;
}

// Rows with two of look-ahead.
class Lookahead {
 public:
  explicit Lookahead(const SealedRowSource& source) : source_(source) {}
  absl::StatusOr<const SealedAuditRow*> Peek(size_t i) {
    while (buffer_.size() <= i && !ended_) {
      ASSIGN_OR_RETURN(std::optional<SealedAuditRow> row, source_());
      if (!row) {
        ended_ = true;
      } else {
        buffer_.push_back(std::move(*row));
      }
    }
    return i < buffer_.size() ? &buffer_[i] : nullptr;
  }
  void Pop() { buffer_.pop_front(); }

 private:
  const SealedRowSource& source_;
  std::deque<SealedAuditRow> buffer_;
  bool ended_ = false;
};

// Why the row at `position` does not hash to its stored value, after `prev`.
absl::StatusOr<AuditVerification> ClassifyMismatch(Lookahead& rows, const std::string& prev,
                                                   int64_t position) {
  ASSIGN_OR_RETURN(const SealedAuditRow* row, rows.Peek(0));
  ASSIGN_OR_RETURN(const SealedAuditRow* next, rows.Peek(1));
  if (next != nullptr && next->position == position + 1 &&
      AuditChainHash(prev, position, next->record) == next->hash) {
    // The record sealed at `position` now sits one later.
    if (AuditChainHash(next->hash, position + 1, row->record) == row->hash) {
      return Broken(AuditBreak::kRowMoved, position,
                    absl::StrCat("the records sealed at positions ", position, " and ",
                                 position + 1, " have been swapped"));
    }
    return Broken(AuditBreak::kRowInserted, position,
                  absl::StrCat("a record was inserted at position ", position,
                               "; the record sealed there now follows it"));
  }
  return Broken(AuditBreak::kRowChanged, position,
                absl::StrCat("the record at position ", position, " (request ",
                             row->record.request_id, ") does not hash to its sealed value"));
}

}  // namespace

const char* AuditBreakName(AuditBreak reason) {
  switch (reason) {
    case AuditBreak::kNone: return "ok";
    case AuditBreak::kRowChanged: return "row changed";
    case AuditBreak::kRowMissing: return "row missing";
    case AuditBreak::kRowInserted: return "row inserted";
    case AuditBreak::kRowMoved: return "rows reordered";
    case AuditBreak::kSignatureInvalid: return "checkpoint signature invalid";
    case AuditBreak::kCheckpointMismatch: return "checkpoint mismatch";
    case AuditBreak::kHeadNotExtended: return "does not extend the given head";
  }
  return "unknown";
}

absl::StatusOr<AuditVerification> VerifyAuditChain(const SealedRowSource& source,
                                                   const std::vector<AuditCheckpoint>& checkpoints,
                                                   const AuditVerifyOptions& options) {
  const std::string& trusted = options.trusted_public_key;
  std::multimap<int64_t, const AuditCheckpoint*> by_position;
  for (const AuditCheckpoint& c : checkpoints) {
    if (auto broken = CheckSignature(c, "checkpoint " + std::to_string(c.id), trusted)) {
      return *broken;
    }
    by_position.emplace(c.position, &c);
  }
  if (options.against) {
    if (auto broken = CheckSignature(*options.against, "the given head", trusted)) return *broken;
  }
  auto check_signed = [&](int64_t position,
                          const std::string& hash) -> std::optional<AuditVerification> {
    auto [first, last] = by_position.equal_range(position);
    for (auto it = first; it != last; ++it) {
      if (it->second->head_hash != hash) {
        return Broken(AuditBreak::kCheckpointMismatch, position,
                      absl::StrCat("checkpoint ", it->second->id, " signed hash ",
                                   it->second->head_hash, " at position ", position,
                                   " but the chain there is ", hash));
      }
    }
    const auto& head = options.against;
    if (head && head->position == position && head->head_hash != hash) {
      return Broken(AuditBreak::kHeadNotExtended, position,
                    absl::StrCat("the given head has hash ", head->head_hash, " at position ",
                                 position, " but the chain there is ", hash));
    }
    return std::nullopt;
  };
  Lookahead rows(source);
  std::string prev = kAuditGenesisHash;
  int64_t position = 0;
  if (auto broken = check_signed(0, prev)) return *broken;
  while (true) {
    ASSIGN_OR_RETURN(const SealedAuditRow* row, rows.Peek(0));
    if (row == nullptr) break;
    int64_t expected = position + 1;
    if (row->position < expected) {
      return Broken(AuditBreak::kRowInserted, row->position,
                    absl::StrCat("a second record holds position ", row->position));
    }
    if (row->position > expected) {
      return Broken(AuditBreak::kRowMissing, expected,
                    absl::StrCat("no record holds position ", expected, "; the next is at ",
                                 row->position));
    }
    std::string hash = AuditChainHash(prev, expected, row->record);
    if (hash != row->hash) return ClassifyMismatch(rows, prev, expected);
    if (auto broken = check_signed(expected, hash)) return *broken;
    prev = std::move(hash);
    position = expected;
    rows.Pop();
  }
  AuditVerification result;
  result.records = position;
  result.checkpoints = static_cast<int64_t>(checkpoints.size());
  auto beyond = by_position.upper_bound(position);
  if (beyond != by_position.end()) {
    return Broken(AuditBreak::kRowMissing, position + 1,
                  absl::StrCat("the chain ends at position ", position, " but checkpoint ",
                               beyond->second->id, " was signed at position ", beyond->first));
  }
  if (options.against && options.against->position > position) {
    return Broken(AuditBreak::kHeadNotExtended, position + 1,
                  absl::StrCat("the chain ends at position ", position,
                               " but the given head is at position ",
                               options.against->position));
  }
  return result;
}

}  // namespace riskcap::db
