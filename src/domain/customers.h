// Customers: the people and companies with a Lethe login (ACC-1, ACC-3,
// ACC-9, SEC-2, SEC-4). Sign-up, sign-in, sign-out and self-service
// correction of their own data. Lethe is the controller for this data.
//
// Passwords are stored only as argon2id hashes; session tokens only as
// SHA-256 digests. A failed sign-in says nothing about which part was wrong.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"
#include "crypto/secret_hash.h"
#include "domain/audit_log.h"
#include "domain/request_origin.h"
#include "domain/two_factor.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

inline constexpr size_t kMinPasswordLength = 12;
inline constexpr size_t kMaxPasswordLength = 1024;
inline constexpr int64_t kSessionLifetimeMs = 30LL * 24 * 3600 * 1000;

struct SignupForm {
  std::string name;
  std::string email;
  std::string password;
  std::string country;
  std::string birth_date;
  std::optional<std::string> company;
  std::optional<std::string> job_title;
  std::optional<std::string> use_case;
  std::optional<std::string> phone;
};

// Fields a customer may correct; absent ones stay as they are.
struct ProfilePatch {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<std::string> company;
  std::optional<std::string> job_title;
  std::optional<std::string> use_case;
  std::optional<std::string> phone;
};

struct IssuedSession {
  std::string token;  // shown to the customer once, stored only as a digest
  int64_t expires_ms = 0;
};

// What a right password yields: a session, or, with two-factor
// authentication on (ACC-4), a challenge that a second factor redeems.
struct SignInResult {
  std::optional<IssuedSession> session;
  std::optional<SignInChallenge> challenge;
};

struct SignupResult {
  CustomerRecord customer;
  IssuedSession session;
};

// Knobs for tests; production uses the defaults.
struct CustomerOptions {
  PasswordCost password_cost = PasswordCost::Interactive();
};

class Customers {
 public:
  Customers(MetadataStore& store, AuditLog& audit, const Clock& clock, Random& random,
            CustomerOptions options = {})
      : store_(store), audit_(audit), clock_(clock), random_(random), options_(options) {}

  // Creates a customer and a first session. Returns InvalidArgument
  // ("invalid-field") for malformed fields, Unprocessable("weak-password")
  // or ("age-gate"), AlreadyExists("email-taken").
  Result<SignupResult> SignUp(const SignupForm& form, const RequestOrigin& origin);

  // Checks email and password and opens a session, recording a login event;
  // with 2FA on (SetTwoFactor), opens a sign-in challenge instead. Returns
  // Unauthenticated, the same for an unknown email and a wrong password.
  Result<SignInResult> SignIn(const std::string& email, const std::string& password,
                              const RequestOrigin& origin);

  // The end of a two-step sign-in: opens a session for a customer whose
  // challenge TwoFactor::Redeem accepted, recording a login event.
  // Returns Unauthenticated when the customer is closed or gone.
  Result<IssuedSession> CompleteSignIn(const std::string& customer_id, const RequestOrigin& origin);

  // Sign-in asks `two_factor` whether a second factor is due. Call before
  // serving; without it, a password alone signs in.
  void SetTwoFactor(TwoFactor* two_factor) { two_factor_ = two_factor; }

  // Ends the session with this token. Returns Unauthenticated if it is unknown.
  Status SignOut(const std::string& token, const RequestOrigin& origin);

  // The customer a live session token belongs to; Unauthenticated otherwise.
  Result<CustomerRecord> Authenticate(const std::string& token);

  // Applies `patch` to the customer's own data (ACC-9).
  Result<CustomerRecord> UpdateProfile(const std::string& customer_id, const ProfilePatch& patch,
                                       const RequestOrigin& origin);

 private:
  Result<IssuedSession> OpenSession(MetadataTx& tx, const std::string& customer_id);
  // Opens a session with its login event and audit entry, in `tx`.
  Result<IssuedSession> StartSession(MetadataTx& tx, const std::string& customer_id,
                                     const RequestOrigin& origin);
  // A hash to verify against when the email is unknown, so both failures
  // cost the same time.
  const std::string& DecoyHash();

  MetadataStore& store_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
  CustomerOptions options_;
  TwoFactor* two_factor_ = nullptr;
  std::once_flag decoy_once_;
  std::string decoy_hash_;
};

}  // namespace lethe
