// A PostgreSQL cluster of the test's own, through scripts/pg-cluster.
#include "tests/testing/pg_cluster.h"

#include <stdlib.h>

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/subprocess.h"

namespace riskcap::testing {

absl::StatusOr<std::unique_ptr<OwnPgCluster>> OwnPgCluster::Start() {
  std::string dir = (std::filesystem::temp_directory_path() / "riskcap-own-pg.XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  std::unique_ptr<OwnPgCluster> cluster(new OwnPgCluster(dir, ""));
  std::string out;
  if (absl::Status st = cluster->Run("start", &out); !st.ok()) return st;
  cluster->url_ = std::string(absl::StripAsciiWhitespace(out));
  return cluster;
}

OwnPgCluster::~OwnPgCluster() {
  (void)Run("stop");
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status OwnPgCluster::Stop() { return Run("stop"); }
absl::Status OwnPgCluster::Restart() { return Run("restart"); }

absl::Status OwnPgCluster::Run(const std::string& command, std::string* out) {
  std::string err;
  auto result = RunCommand({absl::StrCat(RISKCAP_SOURCE_DIR, "/scripts/pg-cluster"), command, dir_},
                           {}, &err, absl::Seconds(90));
  if (!result.ok()) return result.status();
  if (result->first != 0) {
    return absl::InternalError(absl::StrCat("scripts/pg-cluster ", command, " exited ",
                                            result->first, ": ", err));
  }
  if (out != nullptr) *out = result->second;
  return absl::OkStatus();
}

}  // namespace riskcap::testing
