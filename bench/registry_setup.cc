// Run identity, registry creation and the server-info probe.
#include "bench/registry_setup.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "bench/call_errors.h"
#include "bench/cnpj.h"
#include "core/absl_compat.h"
#include "riskcap/v1/admin.grpc.pb.h"
#include "riskcap/v1/fund.grpc.pb.h"

namespace riskcap::bench {
namespace {

namespace v1 = ::riskcap::v1;

constexpr int kManagerBranch = 1;

absl::Status CreateManager(v1::FundService::Stub& stub, const LoadOptions& options,
                           const RunId& run) {
  v1::CreateManagerRequest request;
  request.set_request_id(RequestId(run, "manager", 0));
  v1::Manager* manager = request.mutable_manager();
  manager->set_manager_id(run.number);
  manager->set_name(absl::StrCat("riskcap_bench manager ", run.number));
  manager->set_tax_id(MakeCnpj(run.number, kManagerBranch));
  grpc::ClientContext context;
  PrepareContext(options, context);
  v1::Manager created;
  return ToAbslStatus(stub.CreateManager(&context, request, &created),
                      absl::StrCat("CreateManager ", run.number));
}

absl::StatusOr<int64_t> CreateFund(v1::FundService::Stub& stub, const LoadOptions& options,
                                   const RunId& run, int index) {
  v1::CreateFundRequest request;
  request.set_request_id(RequestId(run, "fund", index));
  v1::Fund* fund = request.mutable_fund();
  fund->set_fund_id(run.number * 10'000 + index);
  fund->set_name(absl::StrCat("riskcap_bench fund ", run.number, "/", index));
  fund->set_tax_id(MakeCnpj(run.number, kManagerBranch + index));
  fund->set_manager_id(run.number);
  fund->set_regulatory_class(v1::REGULATORY_CLASS_MULTIMERCADO);
  fund->set_target_audience(v1::TARGET_AUDIENCE_QUALIFIED);
  fund->set_base_currency("BRL");
  fund->set_active(true);
  grpc::ClientContext context;
  PrepareContext(options, context);
  v1::Fund created;
  grpc::Status status = stub.CreateFund(&context, request, &created);
  if (!status.ok()) return ToAbslStatus(status, absl::StrCat("CreateFund ", fund->fund_id()));
  return created.fund_id();
}

}  // namespace

RunId NewRunId() {
  std::random_device entropy;
  std::uniform_int_distribution<int64_t> eight_digits(10'000'000, 99'999'999);
  return RunId{eight_digits(entropy)};
}

std::string RequestId(const RunId& run, std::string_view kind, int64_t seq) {
  return absl::StrCat("bench-", run.number, "-", AbslView(kind), "-", seq);
}

absl::StatusOr<std::vector<int64_t>> CreateRunFunds(
    const std::shared_ptr<grpc::Channel>& channel, const LoadOptions& options, const RunId& run,
    int count) {
  if (count < 1 || count > kMaxRunFunds) {
    return absl::InvalidArgumentError(absl::StrCat("--funds must be 1..", kMaxRunFunds));
  }
  v1::FundService::Stub stub(channel);
  if (absl::Status st = CreateManager(stub, options, run); !st.ok()) return st;
  std::vector<int64_t> ids;
  for (int i = 1; i <= count; ++i) {
    absl::StatusOr<int64_t> id = CreateFund(stub, options, run, i);
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  return ids;
}

absl::StatusOr<std::vector<int64_t>> CreateManyRunFunds(
    const std::shared_ptr<grpc::Channel>& channel, const LoadOptions& options, const RunId& run,
    int count) {
  if (count < 1 || count > 100 * kMaxRunFunds) {
    return absl::InvalidArgumentError(absl::StrCat("--funds must be 1..", 100 * kMaxRunFunds));
  }
  std::vector<int64_t> ids;
  for (int64_t k = 0; static_cast<int>(ids.size()) < count; ++k) {
    const int batch = std::min(kMaxRunFunds, count - static_cast<int>(ids.size()));
    absl::StatusOr<std::vector<int64_t>> some =
        CreateRunFunds(channel, options, RunId{run.number + k}, batch);
    if (!some.ok()) return some.status();
    ids.insert(ids.end(), some->begin(), some->end());
  }
  return ids;
}

absl::StatusOr<std::string> StoreBackendName(const std::shared_ptr<grpc::Channel>& channel,
                                             const LoadOptions& options) {
  v1::AdminService::Stub stub(channel);
  grpc::ClientContext context;
  PrepareContext(options, context);
  v1::ServerInfo info;
  grpc::Status status = stub.GetServerInfo(&context, v1::GetServerInfoRequest(), &info);
  if (!status.ok()) return ToAbslStatus(status, "GetServerInfo");
  switch (info.store_backend()) {
    case v1::STORE_BACKEND_SQLITE: return std::string("sqlite");
    case v1::STORE_BACKEND_POSTGRESQL: return std::string("postgresql");
    default: return absl::UnknownError("GetServerInfo: the server names no store backend");
  }
}

}  // namespace riskcap::bench
