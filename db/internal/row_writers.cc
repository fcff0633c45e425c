// Multi-row INSERTs for the group commit: one statement, one round trip, per chunk of rows.
#include "db/internal/row_writers.h"

#include <algorithm>
#include <deque>
#include <string>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/date.h"
#include "core/enums.h"

namespace riskcap::db {
namespace {

// Rows per statement: few enough that the bound values stay far below either backend's
// parameter limit (SQLite 32,766; PostgreSQL 65,535), many enough that a full batch of the
// group commit (512 by default) takes two statements.
constexpr size_t kRowsPerStatement = 256;

// One INSERT ... VALUES (...), (...) statement whose values are bound by position. Each value is
// kept in a deque, which never moves what it holds, because soci binds by address. SOCI's bulk
// (vector) binding is not used: on PostgreSQL it re-sends its first batch when re-executed.
class MultiRowInsert {
 public:
  explicit MultiRowInsert(soci::session& s) : st_(s) {}

  void Int(long long value) {
    ints_.push_back(value);
    Bind(soci::use(ints_.back()));
  }
  void Text(const std::string& value) {
    texts_.push_back(value);
    Bind(soci::use(texts_.back()));
  }
  void EndRow() {
    values_.push_back(')');
    row_open_ = false;
  }
  soci::statement& statement() { return st_; }

  // Runs `head` VALUES <rows> `tail` once, as a one-time query: on PostgreSQL that is a single
  // round trip, where a prepared statement adds a PREPARE and a DEALLOCATE. True when a row came
  // back into the statement's into() bindings.
  bool Execute(const std::string& head, const std::string& tail) {
    st_.alloc();
    st_.prepare(absl::StrCat(head, " VALUES ", values_, tail), soci::details::st_one_time_query);
    st_.define_and_bind();
    return st_.execute(true);
  }

 private:
  template <typename Use>
  void Bind(const Use& use) {
    if (!row_open_) {
      if (!values_.empty()) values_.append(", ");
      values_.push_back('(');
    } else {
      values_.append(", ");
    }
    row_open_ = true;
    absl::StrAppend(&values_, ":v", bound_++);
    st_.exchange(use);
  }

  soci::statement st_;
  std::deque<long long> ints_;
  std::deque<std::string> texts_;
  std::string values_;
  size_t bound_ = 0;
  bool row_open_ = false;
};

// Inserts rows [first, last) of `rows`; records each inserted key's id in `ids`.
void InsertSubmissionChunk(soci::session& s, const std::vector<const MarginSubmission*>& rows,
                           size_t first, size_t last,
                           std::unordered_map<std::string, long long>& ids) {
  MultiRowInsert insert(s);
  const std::string received(EnumName(SubmissionState::kReceived));
  for (size_t i = first; i < last; ++i) {
    const MarginSubmission& m = *rows[i];
    insert.Int(m.fund_id);
    insert.Text(FormatDate(m.reference_date));
    insert.Int(m.local_margin.micros());
    insert.Int(m.offshore_margin.micros());
    insert.Text(m.methodology);
    insert.Int(absl::ToUnixMicros(m.submitted_at));
    insert.Text(m.submitted_by);
    insert.Text(m.idempotency_key);
    insert.Text(m.content_hash);
    insert.Text(received);
    insert.EndRow();
  }
  long long id = 0;
  std::string key;
  insert.statement().exchange(soci::into(id));
  insert.statement().exchange(soci::into(key));
  // RETURNING's row order is not promised, so each id is matched to its row by key.
  for (bool got = insert.Execute("INSERT INTO margin_submissions (fund_id, reference_date,"
                                 " local_margin_micros, offshore_margin_micros, methodology,"
                                 " submitted_at_us, submitted_by, idempotency_key, content_hash,"
                                 " state)",
                                 " ON CONFLICT (idempotency_key) DO NOTHING"
                                 " RETURNING id, idempotency_key");
       got; got = insert.statement().fetch()) {
    ids.emplace(key, id);
  }
}

}  // namespace

std::vector<std::optional<long long>> InsertSubmissions(
    soci::session& s, const std::vector<const MarginSubmission*>& rows) {
  std::unordered_map<std::string, long long> ids;
  for (size_t first = 0; first < rows.size(); first += kRowsPerStatement) {
    InsertSubmissionChunk(s, rows, first, std::min(rows.size(), first + kRowsPerStatement), ids);
  }
  // The first row with a key was inserted (VALUES rows go in order); a later one with the same
  // key was skipped.
  std::vector<std::optional<long long>> out;
  out.reserve(rows.size());
  for (const MarginSubmission* m : rows) {
    auto it = ids.find(m->idempotency_key);
    if (it == ids.end()) {
      out.push_back(std::nullopt);
    } else {
      out.push_back(it->second);
      ids.erase(it);
    }
  }
  return out;
}

void InsertAudits(soci::session& s, const std::vector<const AuditRecord*>& records) {
  for (size_t first = 0; first < records.size(); first += kRowsPerStatement) {
    MultiRowInsert insert(s);
    for (size_t i = first; i < std::min(records.size(), first + kRowsPerStatement); ++i) {
      const AuditRecord& r = *records[i];
      insert.Int(absl::ToUnixMicros(r.at));
      insert.Text(r.principal);
      insert.Text(r.method);
      insert.Text(r.request_id);
      insert.Text(r.outcome);
      insert.Text(r.detail);
      insert.EndRow();
    }
    insert.Execute("INSERT INTO audit_log (at_us, principal, method, request_id, outcome, detail)",
                   "");
  }
}

}  // namespace riskcap::db
