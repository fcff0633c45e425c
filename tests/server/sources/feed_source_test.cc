// File sources (CSV and JSON written by the simulator) on both backends, the same row validation
// as the ingest RPCs, the push source, and the HTTP fetcher's TLS verification.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/ascii.h"
#include "core/field_errors.h"
#include "gtest/gtest.h"
#include "server/jobs/exposure_snapshot_job.h"
#include "server/jobs/margin_ingest_job.h"
#include "server/jobs/nav_history_job.h"
#include "server/jobs/nav_snapshot_job.h"
#include "server/jobs/positions_job.h"
#include "server/jobs/swaps_job.h"
#include "server/sources/http_fetcher.h"
#include "tests/testing/feed_test_support.h"
#include "tests/testing/test_store.h"

namespace riskcap::server::jobs {
namespace {

using ::riskcap::testing::JobHarness;
using ::riskcap::testing::RunCommand;
using ::riskcap::testing::TestSource;
using ::riskcap::testing::UpstreamSim;

const Date kDay(2026, 11, 20);

std::string TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "riskcap-feeds.XXXXXX").string();
  return mkdtemp(pattern.data());
}

// Writes the simulator's files for kDay into a new directory.
std::string WriteFiles(const std::string& format) {
  const std::string dir = TempDir();
  std::string err;
  auto run = RunCommand({"/usr/bin/python3", ::riskcap::testing::UpstreamSimScript(),
                         "write-files", "--dir", dir, "--date", "2026-11-20", "--funds", "15",
                         "--positions", "150", "--format", format},
                        {}, &err);
  EXPECT_TRUE(run.ok() && run->first == 0) << err;
  return dir;
}

class FeedSourcesTest : public ::riskcap::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    harness_ = std::make_unique<JobHarness>(store());
  }
  void TearDown() override {
    for (const std::string& dir : dirs_) std::filesystem::remove_all(dir);
    StoreTest::TearDown();
  }
  std::string Files(const std::string& format) {
    dirs_.push_back(WriteFiles(format));
    return dirs_.back();
  }

  // Runs every data job from `location`; returns their content hashes in pipeline order.
  std::vector<std::string> RunAll(const std::string& location) {
    sources::SourceConfig source = TestSource(location);
    std::vector<std::unique_ptr<Job>> jobs;
    jobs.push_back(MakeNavSnapshotJob(source));
    jobs.push_back(MakeMarginIngestJob(source));
    jobs.push_back(MakeNavHistoryJob(source));
    jobs.push_back(MakePositionsJob(source));
    jobs.push_back(MakeSwapsJob(source));
    jobs.push_back(MakeExposureSnapshotJob());
    std::vector<std::string> hashes;
    for (auto& job : jobs) {
      auto out = harness_->Run(*job, kDay);
      EXPECT_TRUE(out.ok()) << job->name() << ": " << out.status();
      hashes.push_back(out.ok() ? out->content_hash : "");
    }
    return hashes;
  }

  std::unique_ptr<JobHarness> harness_;
  std::vector<std::string> dirs_;
};

TEST_P(FeedSourcesTest, CsvAndJsonFilesLoadTheSameContent) {
  const std::string csv = Files("csv"), json = Files("json");
  std::vector<std::string> from_csv = RunAll("file:" + csv);
  auto positions = store().GetSnapshotVersion(SnapshotKind::kPositions, kDay, std::nullopt);
  ASSERT_TRUE(positions.ok());
  EXPECT_EQ(positions->row_count, 150);
  // Steady state: the positions job now hashes the complete batch (its part plus the swaps).
  std::vector<std::string> steady = RunAll("file:" + csv);
  EXPECT_EQ(steady[3], from_csv[4]);
  // The same data as JSON: every job finds its content already current.
  std::vector<std::string> from_json = RunAll("file:" + json);
  EXPECT_EQ(from_json, steady);
  auto versions = store().ListSnapshotVersions(SnapshotKind::kPositions, kDay);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 2u);  // swaps pending, complete batch; nothing new from JSON
}

TEST_P(FeedSourcesTest, BadRowGetsTheIngestFieldPathAndNothingIsApplied) {
  const std::string dir = Files("csv");
  ASSERT_TRUE(harness_->Run(*MakeNavSnapshotJob(TestSource("file:" + dir)), kDay).ok());
  const std::string path = dir + "/nav_snapshot-2026-11-20.csv";
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  std::string csv = text.str();
  // Row 2's NAV becomes an inexact amount: 7 decimals.
  size_t line = csv.find('\n', csv.find('\n', csv.find('\n') + 1) + 1) + 1;
  size_t nav = csv.find(',', csv.find(',', line) + 1) + 1;
  csv.insert(csv.find(',', nav), "0001234");
  std::ofstream(path, std::ios::trunc) << csv;
  auto out = harness_->Run(*MakeNavSnapshotJob(TestSource("file:" + dir)), kDay);
  EXPECT_TRUE(absl::IsInvalidArgument(out.status())) << out.status();
  std::vector<FieldViolation> violations = FieldViolationsOf(out.status());
  ASSERT_EQ(violations.size(), 1u) << out.status();
  EXPECT_EQ(violations[0].field, "nav_snapshot.rows[2].nav");
  auto versions = store().ListSnapshotVersions(SnapshotKind::kNavSnapshot, kDay);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 1u);
}

TEST_P(FeedSourcesTest, MissingFileIsNotFound) {
  const std::string dir = TempDir();
  dirs_.push_back(dir);
  auto out = harness_->Run(*MakePositionsJob(TestSource("file:" + dir)), kDay);
  EXPECT_TRUE(absl::IsNotFound(out.status())) << out.status();
}

TEST_P(FeedSourcesTest, PushConfirmsTheUploadedVersionOrFailsClearly) {
  auto missing = harness_->Run(*MakePositionsJob(TestSource("push")), kDay);
  EXPECT_TRUE(absl::IsFailedPrecondition(missing.status())) << missing.status();
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "UploadPositions"));
  // A version as an upload would have written it.
  const std::string dir = Files("json");
  ASSERT_TRUE(harness_->Run(*MakeNavSnapshotJob(TestSource("file:" + dir)), kDay).ok());
  auto pushed = harness_->Run(*MakeNavSnapshotJob(TestSource("push")), kDay);
  ASSERT_TRUE(pushed.ok()) << pushed.status();
  EXPECT_EQ(pushed->rows_written, 0);
  auto current = store().GetSnapshotVersion(SnapshotKind::kNavSnapshot, kDay, std::nullopt);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(pushed->output_version_id, current->id);
  EXPECT_EQ(pushed->content_hash, current->content_hash);
}

// Managers push margin reports through MarginService; a date without any is not a failed load
// but what margin_status flags, so margin_ingest on push succeeds and writes nothing.
TEST_P(FeedSourcesTest, PushMarginIngestSucceedsWithNoSubmissionsAndWritesNothing) {
  auto pushed = harness_->Run(*MakeMarginIngestJob(TestSource("push")), kDay);
  ASSERT_TRUE(pushed.ok()) << pushed.status();
  EXPECT_EQ(pushed->rows_read, 0);
  EXPECT_EQ(pushed->rows_written, 0);
  auto stored = store().ListSubmissions({}, {});
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->empty());
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(FeedSourcesTest);

std::string ReadAll(const std::string& path) {
  std::stringstream text;
  text << std::ifstream(path, std::ios::binary).rdbuf();
  return text.str();
}

TEST(UpstreamSimFiles, SameSeedAndSizeGiveByteIdenticalFiles) {
  const std::string a = WriteFiles("both"), b = WriteFiles("both");
  for (const char* name : {"funds-2026-11-20.json", "positions-2026-11-20.csv",
                           "swaps-2026-11-20.json", "margin_reports-2026-11-20.csv"}) {
    const std::string first = ReadAll(a + "/" + name);
    EXPECT_FALSE(first.empty()) << name;
    EXPECT_EQ(first, ReadAll(b + "/" + name)) << name;
  }
  std::filesystem::remove_all(a);
  std::filesystem::remove_all(b);
}

TEST(FeedSourceConfig, RejectsUnknownLocations) {
  EXPECT_TRUE(absl::IsInvalidArgument(sources::FeedSource::Create(TestSource("ftp://x")).status()));
  EXPECT_TRUE(sources::FeedSource::Create(TestSource("https://example.invalid")).ok());
}

// A self-signed HTTPS upstream: refused by default, accepted only with the insecure flag.
TEST(HttpFetcherTls, VerifiesCertificatesByDefault) {
  const std::string dir = TempDir();
  std::string err;
  auto made = RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj",
                          "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                          dir + "/key.pem", "-out", dir + "/cert.pem"},
                         {}, &err);
  ASSERT_TRUE(made.ok() && made->first == 0) << err;
  auto sim = UpstreamSim::Start({"--funds", "3", "--tls-cert", dir + "/cert.pem", "--tls-key",
                                 dir + "/key.pem"});
  ASSERT_TRUE(sim.ok()) << sim.status();
  ASSERT_TRUE(absl::StartsWith((*sim)->url(), "https://"));
  const std::string url = (*sim)->url() + "/v1/funds?date=2026-11-20";

  sources::HttpOptions options;
  options.retries = 0;
  auto refused = sources::HttpFetcher(options).Get(url);
  EXPECT_TRUE(absl::IsUnavailable(refused.status())) << refused.status();
  EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(refused.status().message()), "certificate"))
      << refused.status();

  options.insecure_skip_tls_verify = true;
  auto accepted = sources::HttpFetcher(options).Get(url);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_TRUE(absl::StrContains(accepted->body, "\"rows\""));
  std::filesystem::remove_all(dir);
}

// https:// to a plain-HTTP upstream fails the handshake rather than falling back.
TEST(HttpFetcherTls, HttpsToAPlainServerFails) {
  auto sim = UpstreamSim::Start({"--funds", "3"});
  ASSERT_TRUE(sim.ok()) << sim.status();
  std::string url = (*sim)->url();
  url.replace(0, 4, "https");
  sources::HttpOptions options;
  options.retries = 0;
  auto out = sources::HttpFetcher(options).Get(url + "/v1/funds?date=2026-11-20");
  EXPECT_TRUE(absl::IsUnavailable(out.status())) << out.status();
}

}  // namespace
}  // namespace riskcap::server::jobs
