// Pre-serialized uploads over grpc::TemplatedGenericStub, one operation at a time on a private
// completion queue.
#include "bench/prebuilt_upload.h"

#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/str_cat.h"
#include "bench/call_errors.h"
#include "riskcap/v1/ingest.grpc.pb.h"

namespace riskcap::bench {
namespace {

// Raw request bytes out, a parsed UploadResponse back.
using UploadStub = grpc::TemplatedGenericStub<grpc::ByteBuffer, v1::UploadResponse>;

// Waits for the one operation outstanding on `cq` and returns its ok flag.
bool Await(grpc::CompletionQueue& cq) {
  void* tag = nullptr;
  bool ok = false;
  return cq.Next(&tag, &ok) && ok;
}

// Writes every message, half-closes, reads the answer and returns the call's status.
grpc::Status Exchange(UploadStub& stub, grpc::ClientContext& context, grpc::CompletionQueue& cq,
                      const PrebuiltUpload& upload, v1::UploadResponse* answer) {
  void* const tag = &context;  // any non-null tag: one operation is outstanding at a time
  std::unique_ptr<grpc::ClientAsyncReaderWriter<grpc::ByteBuffer, v1::UploadResponse>> call =
      stub.PrepareCall(&context, upload.method, &cq);
  call->StartCall(tag);
  bool open = Await(cq);
  for (size_t i = 0; open && i < upload.messages.size(); ++i) {
    call->Write(upload.messages[i], tag);
    open = Await(cq);  // false once the server has answered early; Finish then says why
  }
  if (open) {
    call->WritesDone(tag);
    Await(cq);
  }
  call->Read(answer, tag);
  Await(cq);
  grpc::Status status;
  call->Finish(&status, tag);
  Await(cq);
  return status;
}

}  // namespace

PrebuiltUpload PrebuildPositionsUpload(const UploadSpec& spec, const RowPlan& plan) {
  PrebuiltUpload upload;
  upload.method = absl::StrCat("/", v1::IngestService::service_full_name(), "/UploadPositions");
  upload.spec = spec;
  std::vector<std::string> serialized = SerializePositionsUpload(spec, plan);
  upload.messages.reserve(serialized.size());
  for (std::string& bytes : serialized) {
    grpc::Slice slice(bytes);  // one copy, then the string goes: memory stays at one upload
    upload.messages.emplace_back(&slice, 1);
    upload.bytes += static_cast<int64_t>(bytes.size());
    std::string().swap(bytes);
  }
  return upload;
}

absl::StatusOr<v1::UploadResponse> SendPrebuiltUpload(const std::shared_ptr<grpc::Channel>& channel,
                                                      const LoadOptions& options,
                                                      const PrebuiltUpload& upload) {
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  PrepareContext(options, context);
  UploadStub stub(channel);
  v1::UploadResponse answer;
  grpc::Status status = Exchange(stub, context, cq, upload, &answer);
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
  if (!status.ok()) return ToAbslStatus(status, absl::StrCat("upload ", upload.spec.request_id));
  if (absl::Status checked = CheckNewVersion(upload.spec, answer); !checked.ok()) return checked;
  return answer;
}

}  // namespace riskcap::bench
