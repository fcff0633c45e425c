// Every List RPC pages by keyset in its documented order with its filters applied in SQL: rows
// of another filter seeded between a query's pages never show up in it, pages are full, no row
// comes twice and none is missed, and a page token continues only the query that returned it.
// On both backends, through the real server and its generated client.
#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "riskcap/v1/admin.grpc.pb.h"
#include "riskcap/v1/finding.grpc.pb.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "riskcap/v1/job.grpc.pb.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "server/rpc/service_set.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/test_server.h"

namespace riskcap {
namespace {

using testing::TestServer;

const absl::Time kAt = absl::FromUnixSeconds(1'790'000'000);
constexpr int kPageSize = 4;

// One List RPC under test, over two disjoint filters: the query's own ("mine") and another.
struct ListCase {
  bool newest_first;
  // Stores one row that only `mine` (or only the other filter) matches; returns its key.
  std::function<int64_t(bool mine)> seed;
  // One call with `mine`'s filter (or the other's): fills the page's keys and next token.
  std::function<grpc::Status(bool mine, const std::string& token, std::vector<int64_t>& keys,
                             std::string& next)>
      list;
};

class ListPagingTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto server = TestServer::Start(GetParam(), [](server::RpcEnv& env) {
      return server::MakeServices(env);
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    testing::SeedRegistry(store());
    analyst_ = server_->CreateKey(Role::kAnalyst);
    admin_ = server_->CreateKey(Role::kAdmin);
  }

  db::Store& store() { return server_->store(); }

  // Calls `rpc` on a fresh stub of `Service` with `key`.
  template <typename Service, typename Req, typename Resp>
  grpc::Status Call(const std::string& key,
                    grpc::Status (Service::Stub::*rpc)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& request, Resp& out) {
    auto stub = Service::NewStub(server_->channel());
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, key);
    return (stub.get()->*rpc)(&ctx, request, &out);
  }

  // Seeds rows of both filters interleaved, reads the first page, seeds more of both, then
  // reads on to the end, and checks every page against what the query must return.
  void ExpectKeysetPages(const ListCase& c) {
    std::vector<int64_t> mine, theirs;
    for (int i = 0; i < 2 * kPageSize + 2; ++i) {
      mine.push_back(c.seed(true));
      theirs.push_back(c.seed(false));
    }
    std::vector<int64_t> keys;
    std::string next;
    ASSERT_TRUE(c.list(true, "", keys, next).ok());
    ASSERT_EQ(keys.size(), static_cast<size_t>(kPageSize));
    ASSERT_FALSE(next.empty());
    // Rows of both filters land between the pages.
    std::vector<int64_t> later;
    for (int i = 0; i < 3; ++i) {
      later.push_back(c.seed(true));
      theirs.push_back(c.seed(false));
    }
    // The token belongs to its query: the other filter refuses it.
    std::vector<int64_t> ignored;
    std::string ignored_next;
    grpc::Status foreign = c.list(false, next, ignored, ignored_next);
    EXPECT_EQ(foreign.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << foreign.error_message();
    std::vector<int64_t> all = keys;
    for (int guard = 0; !next.empty() && guard < 20; ++guard) {
      std::string token = next;
      keys.clear();
      grpc::Status st = c.list(true, token, keys, next);
      ASSERT_TRUE(st.ok()) << st.error_message();
      if (!next.empty()) {
        EXPECT_EQ(keys.size(), static_cast<size_t>(kPageSize)) << "page not full";
      }
      all.insert(all.end(), keys.begin(), keys.end());
    }
    // Newest first continues below the first page, so later (newer) rows are not in this
    // listing; by key, they are (their keys are higher).
    std::vector<int64_t> expected = mine;
    if (c.newest_first) {
      std::sort(expected.rbegin(), expected.rend());
    } else {
      expected.insert(expected.end(), later.begin(), later.end());
      std::sort(expected.begin(), expected.end());
    }
    EXPECT_EQ(all, expected);
    // And the other filter's listing holds exactly its own rows, in the same order.
    std::vector<int64_t> other_all;
    next.clear();
    for (int guard = 0; guard < 20; ++guard) {
      keys.clear();
      std::string token = next;
      ASSERT_TRUE(c.list(false, token, keys, next).ok());
      other_all.insert(other_all.end(), keys.begin(), keys.end());
      if (next.empty()) break;
    }
    if (c.newest_first) {
      std::sort(theirs.rbegin(), theirs.rend());
    } else {
      std::sort(theirs.begin(), theirs.end());
    }
    EXPECT_EQ(other_all, theirs);
  }

  // A page of `Req` through `rpc`, with `key_of` naming each row's key.
  template <typename Service, typename Req, typename Resp, typename Rows, typename KeyOf>
  grpc::Status Page(const std::string& key,
                    grpc::Status (Service::Stub::*rpc)(grpc::ClientContext*, const Req&, Resp*),
                    Req request, const std::string& token, Rows (Resp::*rows)() const,
                    KeyOf key_of, std::vector<int64_t>& keys, std::string& next) {
    request.set_page_size(kPageSize);
    request.set_page_token(token);
    Resp out;
    grpc::Status st = Call<Service>(key, rpc, request, out);
    for (const auto& row : (out.*rows)()) keys.push_back(key_of(row));
    next = out.next_page_token();
    return st;
  }

  std::unique_ptr<TestServer> server_;
  std::string analyst_, admin_;
  int seq_ = 0;
};

TEST_P(ListPagingTest, AuditRecordsNewestFirstByActor) {
  ExpectKeysetPages({true,
                     [&](bool mine) {
                       AuditRecord r{.at = kAt + absl::Seconds(++seq_),
                                     .principal = mine ? "key:mine" : "key:other",
                                     .method = "FundService/CreateFund",
                                     .outcome = "OK"};
                       EXPECT_TRUE(store().AppendAudit(r).ok());
                       auto rows = store().ListAuditRecords({.principal = r.principal},
                                                            db::Page{0, 1});
                       return rows.ok() && !rows->empty() ? rows->front().id : int64_t{0};
                     },
                     [&](bool mine, const std::string& token, auto& keys, auto& next) {
                       v1::ListAuditRecordsRequest r;
                       r.set_actor(mine ? "key:mine" : "key:other");
                       return Page<v1::AdminService>(
                           analyst_, &v1::AdminService::Stub::ListAuditRecords, r, token,
                           &v1::ListAuditRecordsResponse::audit_records,
                           [](const v1::AuditRecord& a) { return a.audit_record_id(); }, keys, next);
                     }});
}

TEST_P(ListPagingTest, AuditRecordsMatchAMethodInEitherRecordedForm) {
  ExpectKeysetPages({true,
                     [&](bool mine) {
                       // Short and full spellings of the same method, alternately.
                       std::string method = mine ? "FundService/UpdateFund" : "FundService/GetFund";
                       if (++seq_ % 2 == 0) method = "/riskcap.v1." + method;
                       AuditRecord r{.at = kAt, .principal = "key:seed", .method = method};
                       EXPECT_TRUE(store().AppendAudit(r).ok());
                       auto rows = store().ListAuditRecords({.principal = "key:seed"},
                                                            db::Page{0, 1});
                       return rows.ok() && !rows->empty() ? rows->front().id : int64_t{0};
                     },
                     [&](bool mine, const std::string& token, auto& keys, auto& next) {
                       v1::ListAuditRecordsRequest r;
                       r.set_method(mine ? "/riskcap.v1.FundService/UpdateFund"
                                         : "/riskcap.v1.FundService/GetFund");
                       return Page<v1::AdminService>(
                           analyst_, &v1::AdminService::Stub::ListAuditRecords, r, token,
                           &v1::ListAuditRecordsResponse::audit_records,
                           [](const v1::AuditRecord& a) { return a.audit_record_id(); }, keys, next);
                     }});
}

TEST_P(ListPagingTest, FindingsNewestFirstByRule) {
  ExpectKeysetPages({true,
                     [&](bool mine) {
                       Finding f;
                       f.rule = mine ? "OVERDUE" : "LIMIT_BREACH";
                       f.severity = FindingSeverity::kWarning;
                       f.fund_id = 101;
                       f.reference_date = Date(2026, 11, 23);
                       f.message = "seeded";
                       f.dedup_key = absl::StrCat("paging/", ++seq_);
                       f.raised_at = kAt;
                       auto raised = store().RaiseFinding(f);
                       EXPECT_TRUE(raised.ok()) << raised.status();
                       return raised.ok() ? raised->id : 0;
                     },
                     [&](bool mine, const std::string& token, auto& keys, auto& next) {
                       v1::ListFindingsRequest r;
                       r.set_rule(mine ? "OVERDUE" : "LIMIT_BREACH");
                       return Page<v1::FindingService>(
                           analyst_, &v1::FindingService::Stub::ListFindings, r, token,
                           &v1::ListFindingsResponse::findings,
                           [](const v1::Finding& f) { return f.finding_id(); }, keys, next);
                     }});
}

TEST_P(ListPagingTest, SubmissionsNewestFirstByFund) {
  ExpectKeysetPages({true,
                     [&](bool mine) {
                       MarginSubmission m;
                       m.fund_id = mine ? 101 : 201;
                       m.reference_date = Date(2026, 11, 23);
                       m.local_margin = Money::FromMicros(1'000'000);
                       m.offshore_margin = Money::FromMicros(0);
                       m.methodology = "SA-CCR";
                       m.submitted_at = kAt;
                       m.submitted_by = "key:1";
                       m.idempotency_key = absl::StrCat("paging-", ++seq_);
                       m.content_hash = std::string(64, 'c');
                       auto stored = store().InsertSubmission(m);
                       EXPECT_TRUE(stored.ok()) << stored.status();
                       return stored.ok() ? stored->id : 0;
                     },
                     [&](bool mine, const std::string& token, auto& keys, auto& next) {
                       v1::ListSubmissionsRequest r;
                       r.set_fund_id(mine ? 101 : 201);
                       return Page<v1::MarginService>(
                           analyst_, &v1::MarginService::Stub::ListSubmissions, r, token,
                           &v1::ListSubmissionsResponse::submissions,
                           [](const v1::MarginSubmission& s) { return s.submission_id(); }, keys, next);
                     }});
}

TEST_P(ListPagingTest, ExemptionsNewestFirstByFundLeavingRevokedOut) {
  ExpectKeysetPages({true,
                     [&](bool mine) {
                       Exemption e;
                       e.fund_id = mine ? 101 : 201;
                       e.reason = "seeded";
                       e.valid_from = Date(2026, 11, 1);
                       e.valid_to = Date(2026, 11, 30);
                       e.granted_by = "key:1";
                       e.granted_at = kAt;
                       // A revoked exemption of the same fund first, which neither listing shows.
                       auto revoked = store().GrantExemption(e);
                       EXPECT_TRUE(revoked.ok()) << revoked.status();
                       if (revoked.ok()) {
                         EXPECT_TRUE(store().RevokeExemption(revoked->id, "key:1", kAt).ok());
                       }
                       auto granted = store().GrantExemption(e);
                       EXPECT_TRUE(granted.ok()) << granted.status();
                       return granted.ok() ? granted->id : 0;
                     },
                     [&](bool mine, const std::string& token, auto& keys, auto& next) {
                       v1::ListExemptionsRequest r;
                       r.set_fund_id(mine ? 101 : 201);
                       return Page<v1::FundService>(
                           analyst_, &v1::FundService::Stub::ListExemptions, r, token,
                           &v1::ListExemptionsResponse::exemptions,
                           [](const v1::Exemption& e) { return e.exemption_id(); }, keys, next);
                     }});
}

TEST_P(ListPagingTest, FundsByIdPerManagerLeavingInactiveOut) {
  ASSERT_TRUE(store().CreateManager({3, "Gama", "33333333000191"}).ok());
  ASSERT_TRUE(store().CreateManager({4, "Delta", "44444444000191"}).ok());
  ExpectKeysetPages({false,
                     [&](bool mine) {
                       const int64_t id = 1000 + ++seq_;
                       Fund f;
                       f.id = id;
                       f.name = absl::StrCat("Fund ", id);
                       f.tax_id = absl::StrCat("1100000000", id + 1000);
                       f.manager_id = mine ? 3 : 4;
                       f.active = true;
                       EXPECT_TRUE(store().CreateFund(f).ok());
                       // An inactive fund of the same manager, which neither listing shows.
                       f.id = 5000 + seq_;
                       f.tax_id = absl::StrCat("1100000000", f.id + 1000);
                       f.active = false;
                       EXPECT_TRUE(store().CreateFund(f).ok());
                       return id;
                     },
                     [&](bool mine, const std::string& token, auto& keys, auto& next) {
                       v1::ListFundsRequest r;
                       r.set_manager_id(mine ? 3 : 4);
                       return Page<v1::FundService>(
                           analyst_, &v1::FundService::Stub::ListFunds, r, token,
                           &v1::ListFundsResponse::funds,
                           [](const v1::Fund& f) { return f.fund_id(); }, keys, next);
                     }});
}

TEST_P(ListPagingTest, RemindersOldestFirstByManager) {
  ExpectKeysetPages({false,
                     [&](bool mine) {
                       Reminder r;
                       r.manager_id = mine ? 1 : 2;
                       r.reference_date = Date(2026, 11, 23);
                       r.body = "seeded";
                       r.content_hash = absl::StrCat("hash-", ++seq_);
                       r.created_at = kAt;
                       auto stored = store().InsertReminder(r);
                       EXPECT_TRUE(stored.ok()) << stored.status();
                       return stored.ok() ? stored->id : 0;
                     },
                     [&](bool mine, const std::string& token, auto& keys, auto& next) {
                       v1::ListRemindersRequest r;
                       r.set_manager_id(mine ? 1 : 2);
                       return Page<v1::FindingService>(
                           analyst_, &v1::FindingService::Stub::ListReminders, r, token,
                           &v1::ListRemindersResponse::reminders,
                           [](const v1::Reminder& x) { return x.reminder_id(); }, keys, next);
                     }});
}

TEST_P(ListPagingTest, JobRunsNewestFirstByJob) {
  ExpectKeysetPages({true,
                     [&](bool mine) {
                       JobRun run;
                       run.job = mine ? "nav_snapshot" : "nav_history";
                       run.reference_date = Date(2026, 11, 23);
                       run.params_json = "{}";
                       run.state = JobState::kSucceeded;
                       run.queued_at = kAt;
                       run.triggered_by = "key:1";
                       auto created = store().CreateJobRun(run);
                       EXPECT_TRUE(created.ok()) << created.status();
                       return created.ok() ? created->id : 0;
                     },
                     [&](bool mine, const std::string& token, auto& keys, auto& next) {
                       v1::ListJobRunsRequest r;
                       r.set_job(mine ? v1::JOB_KIND_NAV_SNAPSHOT : v1::JOB_KIND_NAV_HISTORY);
                       return Page<v1::JobService>(
                           analyst_, &v1::JobService::Stub::ListJobRuns, r, token,
                           &v1::ListJobRunsResponse::job_runs,
                           [](const v1::JobRun& j) { return j.job_run_id(); }, keys, next);
                     }});
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(ListPagingTest);

}  // namespace
}  // namespace riskcap
