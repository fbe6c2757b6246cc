// SEC-3: an integration's token is sealed under a key of its own in the
// account's branch of the key hierarchy; removing the integration destroys
// that key and the row, so the token can never be opened again.
#include "domain/integrations.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "testing/domain_fixture.h"

namespace lethe {
namespace {

constexpr const char* kToken = "vimeo_pat_7f3c1a9e4b2d8c6f0e5a";

class IntegrationsTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    if (HasFatalFailure()) return;
    integrations_ = std::make_unique<Integrations>(*metadata_, *ring_, *audit_, clock_, random_);
    owner_ = MakeAccount("owner@x.io");
    customer_ = owner_.account.customer_id;
    account_ = owner_.account.id;
  }

  // Whether any file of the data directory holds `needle`.
  bool OnDisk(const std::string& needle) {
    for (const auto& f : std::filesystem::recursive_directory_iterator(dir_.path())) {
      if (!f.is_regular_file()) continue;
      std::ifstream in(f.path(), std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      if (bytes.str().find(needle) != std::string::npos) return true;
    }
    return false;
  }

  std::unique_ptr<Integrations> integrations_;
  Principal owner_;
  std::string customer_, account_;
};

TEST_F(IntegrationsTest, TheTokenIsSealedAndOpensOnlyWhileTheIntegrationExists_SEC3) {
  auto added = integrations_->Add(customer_, account_, {"vimeo", "Channel", kToken},
                                  Actor::Customer(customer_), origin_);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->id.rfind("int_", 0), 0u);
  EXPECT_EQ(added->sealed_token.find(kToken), std::string::npos);
  EXPECT_FALSE(OnDisk(kToken)) << "never in the clear";
  EXPECT_TRUE(OnDisk(added->sealed_token));
  auto token = integrations_->Token(customer_, account_, added->id);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(*token, kToken);
  auto wrapped = keys_->Get("secret/" + account_ + "/" + added->id);
  ASSERT_TRUE(wrapped.ok());
  EXPECT_TRUE(OnDisk(*wrapped));

  ASSERT_TRUE(
      integrations_->Remove(customer_, account_, added->id, Actor::Customer(customer_), origin_)
          .ok());
  EXPECT_EQ(keys_->Get("secret/" + account_ + "/" + added->id).status().reason(), "key-destroyed");
  EXPECT_FALSE(OnDisk(*wrapped)) << "the wrapped key left no copy";
  EXPECT_FALSE(OnDisk(added->sealed_token)) << "the ciphertext left no copy";
  EXPECT_EQ(integrations_->Token(customer_, account_, added->id).status().code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(integrations_->List(customer_, account_)->empty());
  EXPECT_EQ(
      integrations_->Remove(customer_, account_, added->id, Actor::Customer(customer_), origin_)
          .code(),
      Status::Code::kNotFound);
}

TEST_F(IntegrationsTest, ASealedTokenMovedToAnotherIntegrationDoesNotOpen_SEC3) {
  auto a = integrations_->Add(customer_, account_, {"vimeo", "", kToken},
                              Actor::Customer(customer_), origin_);
  auto b = integrations_->Add(customer_, account_, {"youtube", "", "other-token"},
                              Actor::Customer(customer_), origin_);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(metadata_
                  ->Transact([&](MetadataTx& tx) -> Status {
                    LETHE_RETURN_IF_ERROR(tx.DeleteIntegration(account_, b->id));
                    IntegrationRecord moved = *b;
                    moved.sealed_token = a->sealed_token;
                    return tx.InsertIntegration(moved);
                  })
                  .ok());
  EXPECT_EQ(integrations_->Token(customer_, account_, b->id).status().code(),
            Status::Code::kDataLoss);
}

TEST_F(IntegrationsTest, BadInputAndOtherTenantsAreRefused_SEC3) {
  EXPECT_EQ(
      integrations_
          ->Add(customer_, account_, {"Vimeo!", "", kToken}, Actor::Customer(customer_), origin_)
          .status()
          .reason(),
      "invalid-field");
  EXPECT_EQ(integrations_
                ->Add(customer_, account_, {"vimeo", "", ""}, Actor::Customer(customer_), origin_)
                .status()
                .reason(),
            "invalid-field");
  EXPECT_EQ(integrations_
                ->Add(customer_, account_, {"vimeo", "", "has space"}, Actor::Customer(customer_),
                      origin_)
                .status()
                .reason(),
            "invalid-field");
  Principal other = MakeAccount("other@x.io");
  EXPECT_EQ(integrations_
                ->Add(other.account.customer_id, account_, {"vimeo", "", kToken},
                      Actor::Customer(other.account.customer_id), origin_)
                .status()
                .code(),
            Status::Code::kNotFound);
  auto mine = integrations_->Add(customer_, account_, {"vimeo", "", kToken},
                                 Actor::Customer(customer_), origin_);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(integrations_->Token(other.account.customer_id, account_, mine->id).status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(integrations_
                ->Remove(other.account.customer_id, other.account.id, mine->id,
                         Actor::Customer(other.account.customer_id), origin_)
                .code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(integrations_->Token(customer_, account_, mine->id).ok());
  // Destroying the account key (closure) takes every token with it.
  ASSERT_TRUE(ring_->DestroyAccountKey(account_).ok());
  EXPECT_EQ(integrations_->Token(customer_, account_, mine->id).status().reason(), "key-destroyed");
}

}  // namespace
}  // namespace lethe
