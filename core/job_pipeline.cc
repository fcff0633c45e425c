// Pipeline order and the other pure rules of the job runner.
#include "core/job_pipeline.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/absl_compat.h"
#include "core/utf8.h"

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

// A cursor over a flat JSON object of strings. Iterative and bounded: at most kMaxParamsJsonBytes
// of text and kMaxParams members; strings must be well-formed UTF-8 with JSON's escapes only.
class FlatJsonReader {
 public:
  explicit FlatJsonReader(std::string_view text) : text_(text) {}

  absl::StatusOr<std::map<std::string, std::string>> Object() {
    if (text_.size() > kMaxParamsJsonBytes) {
      return absl::InvalidArgumentError(absl::StrCat("parameters JSON: ", text_.size(),
                                                     " bytes; at most ", kMaxParamsJsonBytes));
    }
    // Escapes decode to well-formed UTF-8, so the raw text being UTF-8 makes every string so.
    if (std::optional<size_t> bad = FindInvalidUtf8(text_)) {
      pos_ = *bad;
      return Bad("text that is not UTF-8");
    }
    std::map<std::string, std::string> out;
    if (!Consume('{')) return Bad("expected '{'");
    if (Consume('}')) return AtEnd(out);
    do {
      if (out.size() >= kMaxParams) {
        return Bad(absl::StrCat("more than ", kMaxParams, " parameters"));
      }
      std::string key, value;
      if (!String(&key) || !Consume(':') || !String(&value)) {
        return Bad("expected \"key\":\"value\"");
      }
      if (!out.emplace(std::move(key), std::move(value)).second) return Bad("duplicate key");
    } while (Consume(','));
    if (!Consume('}')) return Bad("expected '}'");
    return AtEnd(out);
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool String(std::string* out) {
    if (!Consume('"')) return false;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;  // JSON escapes control characters
      if (c != '\\') {
        out->push_back(c);
      } else if (!Escape(out)) {
        return false;
      }
    }
    return false;
  }
  bool Escape(std::string* out) {
    if (pos_ >= text_.size()) return false;
    char c = text_[pos_++];
    switch (c) {
      case 'n': out->push_back('\n'); return true;
      case 't': out->push_back('\t'); return true;
      case 'r': out->push_back('\r'); return true;
      case 'b': out->push_back('\b'); return true;
      case 'f': out->push_back('\f'); return true;
      case 'u': return Unicode(out);
      case '"': case '\\': case '/': out->push_back(c); return true;
      default: return false;
    }
  }
  bool Hex4(unsigned* code) {
    if (pos_ + 4 > text_.size()) return false;
    *code = 0;
    for (int i = 0; i < 4; ++i) {
      char h = text_[pos_++];
      *code <<= 4;
      if (h >= '0' && h <= '9') *code |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f') *code |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') *code |= static_cast<unsigned>(h - 'A' + 10);
      else return false;
    }
    return true;
  }
  // A \u escape as UTF-8; a surrogate pair takes two escapes, a lone surrogate is refused.
  bool Unicode(std::string* out) {
    unsigned code = 0;
    if (!Hex4(&code) || (code >= 0xDC00 && code <= 0xDFFF)) return false;
    if (code >= 0xD800 && code <= 0xDBFF) {
      unsigned low = 0;
      if (text_.substr(pos_, 2) != "\\u") return false;
      pos_ += 2;
      if (!Hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    if (code < 0x80) {
      out->push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (code >> 6)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (code >> 12)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (code >> 18)));
      out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
    return true;
  }
  absl::StatusOr<std::map<std::string, std::string>> AtEnd(
      std::map<std::string, std::string>& out) {
    SkipSpace();
    if (pos_ != text_.size()) return Bad("trailing text");
    return std::move(out);
  }
  absl::Status Bad(std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("parameters JSON: ", AbslView(what),
                                                   " at offset ", pos_));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

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

namespace riskcap {

absl::StatusOr<std::map<std::string, std::string>> ParseParamsJson(std::string_view json) {
  return FlatJsonReader(json).Object();
}

}  // namespace riskcap
