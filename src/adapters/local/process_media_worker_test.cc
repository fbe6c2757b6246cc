#include "adapters/local/process_media_worker.h"

#include <gtest/gtest.h>

namespace lethe {
namespace {

TEST(ProcessMediaWorkerTest, WithoutABinaryEveryJobFailsAndNothingIsForked) {
  ProcessMediaWorker worker("");
  int reads = 0;  // a refused job must not read a byte
  auto out = worker.Run("poster", "video", [&](std::span<uint8_t>) -> Result<size_t> {
    ++reads;
    return size_t{0};
  });
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(out.status().reason(), "media-worker-missing");
  EXPECT_EQ(reads, 0);
}

TEST(ProcessMediaWorkerTest, ABinaryThatFailsIsAnInternalErrorNotAnArtifact) {
  ProcessMediaWorker worker("/bin/false");
  auto out =
      worker.Run("poster", "video", [](std::span<uint8_t>) -> Result<size_t> { return size_t{0}; });
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Status::Code::kInternal);
}

}  // namespace
}  // namespace lethe
