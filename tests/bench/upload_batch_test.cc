// The messages of a generated upload: the header first, then exactly the generator's rows, in
// order, in messages of the requested size, whether streamed as made or serialized ahead.
#include "bench/upload_batch.h"

#include <google/protobuf/util/message_differencer.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace riskcap::bench {
namespace {

using google::protobuf::util::MessageDifferencer;

UploadSpec Spec(int64_t rows, int64_t rows_per_message) {
  return UploadSpec{"bench-7-positions-0", "2026-11-23", "riskcap_bench", rows, rows_per_message};
}

RowPlan Plan() { return RowPlan{7, {11, 12, 13}, "2026-11-23"}; }

std::vector<v1::UploadPositionsRequest> Parse(const std::vector<std::string>& serialized) {
  std::vector<v1::UploadPositionsRequest> messages(serialized.size());
  for (size_t i = 0; i < serialized.size(); ++i) {
    EXPECT_TRUE(messages[i].ParseFromString(serialized[i])) << "message " << i;
  }
  return messages;
}

TEST(UploadBatchTest, SerializedPositionsUploadCarriesTheGeneratorsRowsInOrder) {
  const std::vector<v1::UploadPositionsRequest> messages =
      Parse(SerializePositionsUpload(Spec(23, 5), Plan()));
  ASSERT_EQ(messages.size(), 6u);  // the header, then 5 + 5 + 5 + 5 + 3 rows
  ASSERT_TRUE(messages[0].has_header());
  EXPECT_EQ(messages[0].header().request_id(), "bench-7-positions-0");
  EXPECT_EQ(messages[0].header().reference_date(), "2026-11-23");
  EXPECT_EQ(messages[0].header().source(), "riskcap_bench");
  int64_t index = 0;
  for (size_t m = 1; m < messages.size(); ++m) {
    ASSERT_TRUE(messages[m].has_rows()) << "message " << m;
    EXPECT_EQ(messages[m].rows().rows_size(), m < 5 ? 5 : 3) << "message " << m;
    for (const v1::Position& row : messages[m].rows().rows()) {
      v1::Position expected;
      GeneratePosition(Plan(), index, &expected);
      EXPECT_TRUE(MessageDifferencer::Equals(row, expected)) << "row " << index;
      ++index;
    }
  }
  EXPECT_EQ(index, 23);
}

TEST(UploadBatchTest, StreamedAndSerializedUploadsAreTheSameBytes) {
  std::vector<std::string> streamed;
  const RowPlan plan = Plan();
  ForEachUploadMessage<v1::UploadPositionsRequest>(
      Spec(12, 4), [&plan](int64_t i, v1::Position* row) { GeneratePosition(plan, i, row); },
      [&streamed](const v1::UploadPositionsRequest& message) {
        streamed.push_back(message.SerializeAsString());
        return true;
      });
  EXPECT_EQ(SerializePositionsUpload(Spec(12, 4), plan), streamed);
  EXPECT_EQ(streamed.size(), 4u);
}

TEST(UploadBatchTest, EmitReturningFalseStopsTheUpload) {
  int emitted = 0;
  const bool complete = ForEachUploadMessage<v1::UploadPositionsRequest>(
      Spec(100, 10), [](int64_t, v1::Position*) {},
      [&emitted](const v1::UploadPositionsRequest&) { return ++emitted < 3; });
  EXPECT_FALSE(complete);
  EXPECT_EQ(emitted, 3);
}

TEST(UploadBatchTest, OnlyANewVersionOfExactlyTheRowsPasses) {
  v1::UploadResponse answer;
  answer.set_row_count(23);
  EXPECT_TRUE(CheckNewVersion(Spec(23, 5), answer).ok());
  answer.set_row_count(22);
  EXPECT_EQ(CheckNewVersion(Spec(23, 5), answer).code(), absl::StatusCode::kInternal);
  answer.set_row_count(23);
  answer.set_replayed(true);
  EXPECT_EQ(CheckNewVersion(Spec(23, 5), answer).code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace riskcap::bench
