// ACC-1, ACC-3, SEC-2, SEC-4 at the domain level, on real SQLite.
#include "domain/customers.h"

#include <gtest/gtest.h>

#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class CustomersTest : public DomainFixture {
 protected:
  SignupForm Form(std::string email) {
    return SignupForm{"Ada", std::move(email), "correct horse battery", "US", "1990-01-01"};
  }
};

TEST_F(CustomersTest, SignInFailuresLookAlike) {
  ASSERT_TRUE(customers_->SignUp(Form("a@x.io"), origin_).ok());
  auto wrong_password = customers_->SignIn("a@x.io", "not the password", origin_);
  auto unknown_email = customers_->SignIn("b@x.io", "correct horse battery", origin_);
  EXPECT_EQ(wrong_password.status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(wrong_password.status().message(), unknown_email.status().message());
  EXPECT_TRUE(customers_->SignIn("A@X.IO", "correct horse battery", origin_).ok());
}

TEST_F(CustomersTest, PasswordIsStoredOnlyAsArgon2id) {
  auto r = customers_->SignUp(Form("a@x.io"), origin_);
  ASSERT_TRUE(r.ok());
  auto stored = metadata_->FindCustomer(r->customer.id);
  EXPECT_EQ(stored->password_hash.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(stored->password_hash.find("correct horse"), std::string::npos);
}

TEST_F(CustomersTest, SignInUpgradesAnOutdatedHash) {
  auto r = customers_->SignUp(Form("a@x.io"), origin_);
  ASSERT_TRUE(r.ok());
  std::string minimum_hash = metadata_->FindCustomer(r->customer.id)->password_hash;
  // The deployment raises its cost: the next sign-in re-hashes.
  Customers stronger(*metadata_, *audit_, clock_, random_,
                     CustomerOptions{PasswordCost{PasswordCost::Minimum().ops + 1,
                                                  PasswordCost::Minimum().mem_bytes}});
  ASSERT_TRUE(stronger.SignIn("a@x.io", "correct horse battery", origin_).ok());
  std::string upgraded = metadata_->FindCustomer(r->customer.id)->password_hash;
  EXPECT_NE(upgraded, minimum_hash);
  EXPECT_FALSE(PasswordNeedsRehash(
      upgraded, PasswordCost{PasswordCost::Minimum().ops + 1, PasswordCost::Minimum().mem_bytes}));
  EXPECT_TRUE(stronger.SignIn("a@x.io", "correct horse battery", origin_).ok());
}

TEST_F(CustomersTest, SessionsExpireAndEnd) {
  auto r = customers_->SignUp(Form("a@x.io"), origin_);
  ASSERT_TRUE(r.ok());
  const std::string token = r->session.token;
  EXPECT_TRUE(customers_->Authenticate(token).ok());
  clock_.Advance(kSessionLifetimeMs);
  EXPECT_EQ(customers_->Authenticate(token).status().code(), Status::Code::kUnauthenticated);
  auto again = customers_->SignIn("a@x.io", "correct horse battery", origin_);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->session.has_value());
  ASSERT_TRUE(customers_->SignOut(again->session->token, origin_).ok());
  EXPECT_EQ(customers_->Authenticate(again->session->token).status().code(),
            Status::Code::kUnauthenticated);
}

TEST_F(CustomersTest, RefusedSignupStoresNothing) {
  SignupForm kid = Form("kid@x.io");
  kid.birth_date = "2015-01-01";
  EXPECT_EQ(customers_->SignUp(kid, origin_).status().reason(), "age-gate");
  EXPECT_EQ(metadata_->FindCustomerByEmail("kid@x.io").status().code(), Status::Code::kNotFound);
  EXPECT_FALSE((*metadata_->LastAuditEvent()).has_value());
}

TEST_F(CustomersTest, WeakPasswordsAndBadFieldsAreRefused) {
  SignupForm f = Form("a@x.io");
  f.password = "short";
  EXPECT_EQ(customers_->SignUp(f, origin_).status().reason(), "weak-password");
  f = Form("not-an-email");
  EXPECT_EQ(customers_->SignUp(f, origin_).status().reason(), "invalid-field");
  f = Form("a@x.io");
  f.country = "usa";
  EXPECT_EQ(customers_->SignUp(f, origin_).status().reason(), "invalid-field");
}

}  // namespace
}  // namespace lethe
