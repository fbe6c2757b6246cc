#include "testing/crashing_key_store.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <map>

namespace lethe {
namespace {

// A KeyStore in memory, enough for the wrapper.
class MemoryKeyStore final : public KeyStore {
 public:
  Result<std::string> PutIfAbsent(const std::string& slot, const std::string& wrapped) override {
    auto [it, added] = slots_.emplace(slot, wrapped);
    if (it->second.empty()) return Status::FailedPrecondition("key-destroyed", slot);
    return it->second;
  }
  Result<std::string> Get(const std::string& slot) override {
    auto it = slots_.find(slot);
    if (it == slots_.end()) return Status::NotFound(slot);
    if (it->second.empty()) return Status::FailedPrecondition("key-destroyed", slot);
    return it->second;
  }
  Status Destroy(const std::string& slot) override {
    auto it = slots_.find(slot);
    if (it == slots_.end()) return Status::NotFound(slot);
    it->second.clear();
    return Status::Ok();
  }

 private:
  std::map<std::string, std::string> slots_;
};

TEST(CrashingKeyStoreTest, CrashesOnlyAfterDestroyingAWatchedSlot) {
  int crashes = 0;
  CrashingKeyStore keys(std::make_unique<MemoryKeyStore>(), "subject/", [&] { ++crashes; });
  ASSERT_TRUE(keys.PutIfAbsent("account/acc_1", "k1").ok());
  ASSERT_TRUE(keys.PutIfAbsent("subject/acc_1/u", "k2").ok());
  EXPECT_TRUE(keys.Destroy("account/acc_1").ok());
  EXPECT_EQ(crashes, 0) << "another prefix";
  EXPECT_EQ(keys.Destroy("subject/acc_1/nobody").code(), Status::Code::kNotFound);
  EXPECT_EQ(crashes, 0) << "nothing was destroyed";
  EXPECT_TRUE(keys.Destroy("subject/acc_1/u").ok());
  EXPECT_EQ(crashes, 1);
  EXPECT_EQ(keys.Get("subject/acc_1/u").status().reason(), "key-destroyed")
      << "crash after, not before";
}

TEST(CrashingKeyStoreTest, KnowsItsCrashPoints) {
  EXPECT_EQ(CrashPointSlotPrefix("subject-key-destroyed"), "subject/");
  EXPECT_EQ(CrashPointSlotPrefix("account-key-destroyed"), "account/");
  EXPECT_EQ(CrashPointSlotPrefix("subject"), std::nullopt);
  EXPECT_EQ(CrashPointSlotPrefix(""), std::nullopt);
  EXPECT_NE(CrashPointNames().find("account-key-destroyed"), std::string::npos);
}

TEST(CrashingKeyStoreDeathTest, TheDefaultCrashIsSigkill) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        CrashingKeyStore keys(std::make_unique<MemoryKeyStore>(), "account/");
        (void)keys.PutIfAbsent("account/acc_1", "k");
        (void)keys.Destroy("account/acc_1");
        std::exit(0);
      },
      ::testing::KilledBySignal(SIGKILL), "");
}

}  // namespace
}  // namespace lethe
