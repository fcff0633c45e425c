// The read calls of riskcap_bench reads.
#include "bench/read_calls.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "riskcap/v1/admin.grpc.pb.h"
#include "riskcap/v1/finding.grpc.pb.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "riskcap/v1/job.grpc.pb.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "riskcap/v1/risk.grpc.pb.h"
#include "riskcap/v1/snapshot.grpc.pb.h"

namespace riskcap::bench {
namespace {

template <typename Stub, typename Req, typename Resp>
using Rpc = grpc::Status (Stub::*)(grpc::ClientContext*, const Req&, Resp*);

// A paged List call of `request` through `rpc` on a stub of its own.
template <typename Service, typename Req, typename Resp>
ReadCall Paged(std::string name, std::string filter, std::shared_ptr<grpc::Channel> channel,
               std::string key, Rpc<typename Service::Stub, Req, Resp> rpc, Req request) {
  std::shared_ptr<typename Service::Stub> stub = Service::NewStub(channel);
  auto call = [stub, key, rpc, request](const std::string& token,
                                         int page_size) -> absl::StatusOr<std::string> {
    Req r = request;
    r.set_page_token(token);
    r.set_page_size(page_size);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + key);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    Resp out;
    grpc::Status st = (stub.get()->*rpc)(&ctx, r, &out);
    if (!st.ok()) {
      return absl::UnknownError(absl::StrCat(st.error_code(), ": ", st.error_message()));
    }
    return out.next_page_token();
  };
  return ReadCall{std::move(name), std::move(filter), std::move(call)};
}

ReadCall Summary(std::shared_ptr<grpc::Channel> channel, std::string key, int64_t manager) {
  std::shared_ptr<v1::RiskService::Stub> stub = v1::RiskService::NewStub(channel);
  auto call = [stub, key, manager](const std::string&, int) -> absl::StatusOr<std::string> {
    v1::GetRiskCapitalSummaryRequest r;
    r.set_manager_id(manager);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + key);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::RiskCapitalSummary out;
    grpc::Status st = stub->GetRiskCapitalSummary(&ctx, r, &out);
    if (!st.ok()) {
      return absl::UnknownError(absl::StrCat(st.error_code(), ": ", st.error_message()));
    }
    return std::string();
  };
  return ReadCall{"GetRiskCapitalSummary",
                  manager == 0 ? "none" : absl::StrCat("manager_id=", manager), std::move(call)};
}

}  // namespace

std::vector<ReadCall> ReadCalls(std::shared_ptr<grpc::Channel> channel, const std::string& analyst,
                                const std::string& admin) {
  using v1::AdminService;
  std::vector<ReadCall> calls;
  v1::ListAuditRecordsRequest audit;
  calls.push_back(Paged<AdminService>("ListAuditRecords", "none", channel, analyst,
                                      &AdminService::Stub::ListAuditRecords, audit));
  audit.set_actor("key:7");
  calls.push_back(Paged<AdminService>("ListAuditRecords", "actor=key:7", channel, analyst,
                                      &AdminService::Stub::ListAuditRecords, audit));
  v1::ListFindingsRequest findings;
  calls.push_back(Paged<v1::FindingService>("ListFindings", "none", channel, analyst,
                                            &v1::FindingService::Stub::ListFindings, findings));
  findings.set_rule("OVERDUE");
  findings.set_state(v1::FINDING_STATE_OPEN);
  calls.push_back(Paged<v1::FindingService>("ListFindings", "rule=OVERDUE,state=OPEN", channel,
                                            analyst, &v1::FindingService::Stub::ListFindings,
                                            findings));
  v1::ListSubmissionsRequest submissions;
  calls.push_back(Paged<v1::MarginService>("ListSubmissions", "none", channel, analyst,
                                           &v1::MarginService::Stub::ListSubmissions,
                                           submissions));
  submissions.set_state(v1::SUBMISSION_STATE_VALIDATED);
  calls.push_back(Paged<v1::MarginService>("ListSubmissions", "state=VALIDATED", channel, analyst,
                                           &v1::MarginService::Stub::ListSubmissions,
                                           submissions));
  calls.push_back(Paged<v1::FundService>("ListExemptions", "none", channel, analyst,
                                         &v1::FundService::Stub::ListExemptions,
                                         v1::ListExemptionsRequest()));
  calls.push_back(Paged<v1::FundService>("ListFunds", "none", channel, analyst,
                                         &v1::FundService::Stub::ListFunds,
                                         v1::ListFundsRequest()));
  v1::ListFundsRequest funds;
  funds.set_manager_id(3);
  calls.push_back(Paged<v1::FundService>("ListFunds", "manager_id=3", channel, analyst,
                                         &v1::FundService::Stub::ListFunds, funds));
  calls.push_back(Paged<v1::FundService>("ListManagers", "none", channel, analyst,
                                         &v1::FundService::Stub::ListManagers,
                                         v1::ListManagersRequest()));
  calls.push_back(Paged<v1::JobService>("ListJobRuns", "none", channel, analyst,
                                        &v1::JobService::Stub::ListJobRuns,
                                        v1::ListJobRunsRequest()));
  calls.push_back(Paged<v1::FindingService>("ListReminders", "none", channel, analyst,
                                            &v1::FindingService::Stub::ListReminders,
                                            v1::ListRemindersRequest()));
  calls.push_back(Paged<AdminService>("ListApiKeys", "none", channel, admin,
                                      &AdminService::Stub::ListApiKeys, v1::ListApiKeysRequest()));
  calls.push_back(Paged<v1::SnapshotService>("ListExposures", "none", channel, analyst,
                                             &v1::SnapshotService::Stub::ListExposures,
                                             v1::ListExposuresRequest()));
  v1::ListExposuresRequest otc;
  otc.set_consolidated_exposure(v1::EXPOSURE_ORIGIN_OTC);
  calls.push_back(Paged<v1::SnapshotService>("ListExposures", "consolidated_exposure=OTC",
                                             channel, analyst,
                                             &v1::SnapshotService::Stub::ListExposures, otc));
  calls.push_back(Paged<v1::RiskService>("ListFundStatus", "none", channel, analyst,
                                         &v1::RiskService::Stub::ListFundStatus,
                                         v1::ListFundStatusRequest()));
  v1::ListFundStatusRequest overdue;
  overdue.set_deadline_status(v1::DEADLINE_STATUS_OVERDUE);
  calls.push_back(Paged<v1::RiskService>("ListFundStatus", "deadline_status=OVERDUE", channel,
                                         analyst, &v1::RiskService::Stub::ListFundStatus,
                                         overdue));
  calls.push_back(Summary(channel, analyst, 0));
  calls.push_back(Summary(channel, analyst, 3));
  return calls;
}

}  // namespace riskcap::bench
