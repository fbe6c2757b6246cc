#include "domain/customers.h"

#include "domain/age_gate.h"
#include "domain/validation.h"

namespace lethe {
namespace {

Status CheckPassword(const std::string& password) {
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
    return Status::Unprocessable("weak-password",
                                 "password must be " + std::to_string(kMinPasswordLength) + " to " +
                                     std::to_string(kMaxPasswordLength) + " characters");
  }
  return Status::Ok();
}

Status CheckProfileFields(const std::optional<std::string>& company,
                          const std::optional<std::string>& job_title,
                          const std::optional<std::string>& use_case,
                          const std::optional<std::string>& phone) {
  LETHE_RETURN_IF_ERROR(CheckOptionalText("company", company, 200));
  LETHE_RETURN_IF_ERROR(CheckOptionalText("job_title", job_title, 200));
  LETHE_RETURN_IF_ERROR(CheckOptionalText("use_case", use_case, 2000));
  return CheckPhone(phone);
}

// The store reports a uniqueness conflict; on customers, the only unique
// field a caller supplies is the email address.
Status NameTakenEmail(Status st) {
  if (st.code() == Status::Code::kAlreadyExists) {
    return Status::AlreadyExists("email-taken", "that email address is already registered");
  }
  return st;
}

}  // namespace

const std::string& Customers::DecoyHash() {
  std::call_once(decoy_once_, [this] {
    auto hash = HashPassword(RandomToken(random_, "decoy_"), options_.password_cost);
    decoy_hash_ = hash.ok() ? *hash : std::string();
  });
  return decoy_hash_;
}

Result<IssuedSession> Customers::OpenSession(MetadataTx& tx, const std::string& customer_id,
                                             const RequestOrigin& origin) {
  IssuedSession session;
  session.token = RandomToken(random_, "ses_");
  int64_t now = clock_.NowMillis();
  session.expires_ms = now + options_.session_lifetime_ms;
  SessionRecord record{TokenDigest(session.token), customer_id, now, session.expires_ms};
  record.id = RandomId(random_, "sid_");
  record.last_used_ms = now;
  record.ip = origin.ip;
  record.browser = origin.browser;
  record.country = origin.country;
  LETHE_RETURN_IF_ERROR(tx.InsertSession(record));
  return session;
}

bool Customers::IsLive(const SessionRecord& s, int64_t now_ms) const {
  return now_ms < s.expires_ms && now_ms < s.last_used_ms + options_.session_idle_ms;
}

Result<SignupResult> Customers::SignUp(const SignupForm& form, const RequestOrigin& origin) {
  // The age gate runs first: a refused person must leave no trace (SEC-4).
  LETHE_RETURN_IF_ERROR(CheckCountry(form.country));
  LETHE_RETURN_IF_ERROR(CheckSignupAge(form.birth_date, form.country, clock_.NowMillis()));
  LETHE_RETURN_IF_ERROR(CheckText("name", form.name, 200));
  LETHE_RETURN_IF_ERROR(CheckEmail(form.email));
  LETHE_RETURN_IF_ERROR(CheckPassword(form.password));
  LETHE_RETURN_IF_ERROR(
      CheckProfileFields(form.company, form.job_title, form.use_case, form.phone));

  SignupResult result;
  CustomerRecord& c = result.customer;
  c.id = RandomId(random_, "cus_");
  c.name = form.name;
  c.email = form.email;
  LETHE_ASSIGN_OR_RETURN(c.password_hash, HashPassword(form.password, options_.password_cost));
  c.country = form.country;
  c.birth_date = form.birth_date;
  c.company = form.company;
  c.job_title = form.job_title;
  c.use_case = form.use_case;
  c.phone = form.phone;
  c.created_ms = clock_.NowMillis();

  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(NameTakenEmail(tx.InsertCustomer(c)));
    LETHE_ASSIGN_OR_RETURN(result.session, OpenSession(tx, c.id, origin));
    return audit_.Record(tx, Actor::Customer(c.id), "customer.signup", c.id, "", origin);
  }));
  return result;
}

Result<IssuedSession> Customers::StartSession(MetadataTx& tx, const CustomerRecord& customer,
                                              const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(IssuedSession session, OpenSession(tx, customer.id, origin));
  // Compared with the sign-ins before this one (ACC-11).
  LETHE_RETURN_IF_ERROR(notices_.SignedIn(tx, customer, origin));
  LoginEvent login{
      RandomId(random_, "lgn_"), customer.id,     clock_.NowMillis(), origin.ip, origin.browser,
      origin.browser_version,    origin.language, origin.country};
  LETHE_RETURN_IF_ERROR(tx.InsertLoginEvent(login));
  LETHE_RETURN_IF_ERROR(
      audit_.Record(tx, Actor::Customer(customer.id), "session.create", customer.id, "", origin));
  return session;
}

Status Customers::RefuseSignIn(const std::string& email, const CustomerRecord* customer,
                               const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(int64_t failures, limiter_.RecordFailure(tx, email, origin.ip));
    // Told once per burst: when the count reaches the limiter's first block.
    if (customer && failures == options_.sign_in_limits.email_free_failures) {
      return notices_.FailureBurst(tx, *customer, origin, failures);
    }
    return Status::Ok();
  }));
  return Status::Unauthenticated("email or password is wrong");
}

Result<SignInResult> Customers::SignIn(const std::string& email, const std::string& password,
                                       const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(limiter_.Check(email, origin.ip));
  auto customer = store_.FindCustomerByEmail(email);
  if (!customer.ok()) {
    if (customer.status().code() != Status::Code::kNotFound) return customer.status();
    (void)VerifyPassword(DecoyHash(), password);  // same cost as a real check
    return RefuseSignIn(email, nullptr, origin);
  }
  if (customer->closed_ms) {  // access ends for good (ACC-10), at the same cost
    (void)VerifyPassword(DecoyHash(), password);
    return RefuseSignIn(email, nullptr, origin);
  }
  if (!VerifyPassword(customer->password_hash, password)) {
    return RefuseSignIn(email, &*customer, origin);
  }

  // A hash made with other argon2id limits is upgraded while the password
  // is at hand.
  std::optional<std::string> rehashed;
  if (PasswordNeedsRehash(customer->password_hash, options_.password_cost)) {
    auto fresh = HashPassword(password, options_.password_cost);
    if (fresh.ok()) rehashed = std::move(*fresh);
  }
  SignInResult result;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    result = SignInResult{};
    if (rehashed) {
      CustomerRecord updated = *customer;
      updated.password_hash = *rehashed;
      LETHE_RETURN_IF_ERROR(tx.UpdateCustomer(updated));
    }
    LETHE_RETURN_IF_ERROR(limiter_.RecordSuccess(tx, email));
    // ACC-4: with 2FA on, the password alone opens no session.
    if (two_factor_ != nullptr) {
      LETHE_ASSIGN_OR_RETURN(result.challenge, two_factor_->ChallengeIfEnrolled(tx, customer->id));
      if (result.challenge) return Status::Ok();
    }
    LETHE_ASSIGN_OR_RETURN(result.session, StartSession(tx, *customer, origin));
    return Status::Ok();
  }));
  return result;
}

Result<IssuedSession> Customers::CompleteSignIn(const std::string& customer_id,
                                                const RequestOrigin& origin) {
  IssuedSession session;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    auto customer = tx.FindCustomer(customer_id);
    if (!customer.ok() || customer->closed_ms) {
      return Status::Unauthenticated("the customer account is closed");
    }
    LETHE_ASSIGN_OR_RETURN(session, StartSession(tx, *customer, origin));
    return Status::Ok();
  }));
  return session;
}

Result<CustomerRecord> Customers::Authenticate(const std::string& token, std::string* session_id) {
  const std::string digest = TokenDigest(token);
  auto session = store_.FindSession(digest);
  if (!session.ok()) {
    if (session.status().code() == Status::Code::kNotFound) {
      return Status::Unauthenticated("session is unknown or has ended");
    }
    return session.status();
  }
  const int64_t now = clock_.NowMillis();
  if (!IsLive(*session, now)) {
    // A dead session is of no further use: removed (best effort; listing
    // leaves out dead ones anyway).
    (void)store_.Transact([&](MetadataTx& tx) { return tx.DeleteSession(digest); });
    return Status::Unauthenticated("session has expired");
  }
  LETHE_ASSIGN_OR_RETURN(CustomerRecord customer, store_.FindCustomer(session->customer_id));
  if (customer.closed_ms) return Status::Unauthenticated("the customer account is closed");
  if (now - session->last_used_ms >= kSessionTouchEveryMs) {
    // Telemetry-grade durability: a lost touch only shortens the idle time.
    Status touched = store_.Transact([&](MetadataTx& tx) { return tx.TouchSession(digest, now); },
                                     Durability::kProcessCrash);
    // Revoked meanwhile: refused as if it had been gone already.
    if (touched.code() == Status::Code::kNotFound) {
      return Status::Unauthenticated("session is unknown or has ended");
    }
    LETHE_RETURN_IF_ERROR(touched);
  }
  if (session_id != nullptr) *session_id = session->id;
  return customer;
}

Status Customers::SignOut(const std::string& token, const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(CustomerRecord customer, Authenticate(token));
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.DeleteSession(TokenDigest(token)));
    return audit_.Record(tx, Actor::Customer(customer.id), "session.delete", customer.id, "",
                         origin);
  });
}

Result<int64_t> Customers::ChangePassword(const std::string& token, const std::string& current,
                                          const std::string& fresh, const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(CustomerRecord customer, Authenticate(token));
  LETHE_RETURN_IF_ERROR(limiter_.Check(customer.email, origin.ip));
  if (!VerifyPassword(customer.password_hash, current)) {
    // A stolen session must not become a way to guess the password.
    Status refused = RefuseSignIn(customer.email, &customer, origin);
    if (refused.code() != Status::Code::kUnauthenticated) return refused;
    return Status(Status::Code::kPermissionDenied, "wrong-password",
                  "the current password is wrong");
  }
  LETHE_RETURN_IF_ERROR(CheckPassword(fresh));
  LETHE_ASSIGN_OR_RETURN(std::string hash, HashPassword(fresh, options_.password_cost));
  const std::string keep = TokenDigest(token);
  int64_t revoked = 0;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    revoked = 0;
    LETHE_ASSIGN_OR_RETURN(CustomerRecord updated, tx.FindCustomer(customer.id));
    updated.password_hash = hash;
    LETHE_RETURN_IF_ERROR(tx.UpdateCustomer(updated));
    LETHE_ASSIGN_OR_RETURN(auto sessions, tx.ListSessions(customer.id));
    for (const SessionRecord& s : sessions) {
      if (s.token_digest == keep) continue;
      LETHE_RETURN_IF_ERROR(tx.DeleteSession(s.token_digest));
      ++revoked;
    }
    LETHE_RETURN_IF_ERROR(notices_.PasswordChanged(tx, updated, origin, revoked));
    return audit_.Record(tx, Actor::Customer(customer.id), "customer.password_change", customer.id,
                         "", origin);
  }));
  return revoked;
}

Result<CustomerRecord> Customers::UpdateProfile(const std::string& customer_id,
                                                const ProfilePatch& patch,
                                                const RequestOrigin& origin) {
  if (patch.name) LETHE_RETURN_IF_ERROR(CheckText("name", *patch.name, 200));
  if (patch.email) LETHE_RETURN_IF_ERROR(CheckEmail(*patch.email));
  LETHE_RETURN_IF_ERROR(
      CheckProfileFields(patch.company, patch.job_title, patch.use_case, patch.phone));
  CustomerRecord updated;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(updated, tx.FindCustomer(customer_id));
    if (patch.name) updated.name = *patch.name;
    if (patch.email) updated.email = *patch.email;
    if (patch.company) updated.company = patch.company;
    if (patch.job_title) updated.job_title = patch.job_title;
    if (patch.use_case) updated.use_case = patch.use_case;
    if (patch.phone) updated.phone = patch.phone;
    LETHE_RETURN_IF_ERROR(NameTakenEmail(tx.UpdateCustomer(updated)));
    return audit_.Record(tx, Actor::Customer(customer_id), "customer.update", customer_id, "",
                         origin);
  }));
  return updated;
}

}  // namespace lethe
