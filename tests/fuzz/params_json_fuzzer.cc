// Fuzzes job parameters JSON (server/jobs/job_params.cc ParseParamsJson). Accepted text yields
// UTF-8 keys and values, and ParamsJson writes them back as text that parses to the same map.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/absl_compat.h"
#include "core/job_pipeline.h"
#include "core/utf8.h"
#include "server/jobs/job_params.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto params = riskcap::server::jobs::ParseParamsJson(text);
  if (!params.ok()) {
    FUZZ_CHECK(riskcap::IsValidUtf8(riskcap::StdView(params.status().message())));
    return 0;
  }
  FUZZ_CHECK(params->size() <= riskcap::server::jobs::kMaxParams);
  for (const auto& [key, value] : *params) {
    FUZZ_CHECK(riskcap::IsValidUtf8(key));
    FUZZ_CHECK(riskcap::IsValidUtf8(value));
  }
  auto again = riskcap::server::jobs::ParseParamsJson(riskcap::ParamsJson(*params));
  FUZZ_CHECK(again.ok() && *again == *params);
  return 0;
}
