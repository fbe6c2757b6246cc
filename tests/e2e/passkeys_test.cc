// Passkeys over HTTP (issue 15): a software authenticator (real ES256 keys,
// testing/soft_authenticator.h) registers with a running server and signs
// in through every sign-in route: the API's (token), the portal's (cookie)
// and the staff's. The server checks them with libfido2; the answers a
// server must refuse (a replay, another origin, a customer's passkey at
// the staff door) are refused over the wire too.
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "common/encoding.h"
#include "harness.h"
#include "media_support.h"
#include "testing/soft_authenticator.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

std::string B64u(const std::vector<uint8_t>& bytes) { return Base64UrlEncode(bytes); }

// The mails the server has delivered to `to` with `subject` in them.
int MailsTo(const std::string& data_dir, const std::string& to, const std::string& subject) {
  int n = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir + "/outbox-mail", ec)) {
    if (entry.path().extension() != ".eml") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string m = text.str();
    n += m.find("To: " + to) != std::string::npos && m.find(subject) != std::string::npos;
  }
  return n;
}

class PasskeyApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(server_->ok());
    origin_ = server_->base_url();  // http://127.0.0.1:<port>
    client_.set_base_url(origin_);
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  Headers With(const std::string& token = "") {
    Headers h{{"Origin", origin_}};
    if (!token.empty()) h["Authorization"] = "Bearer " + token;
    return h;
  }

  // Registers `auth` for the owner of `token` under `prefix` (/v1/me or
  // /v1/staff/me). Returns the response.
  Response Register(SoftAuthenticator& auth, const std::string& token, const std::string& prefix,
                    const std::string& fmt = "none") {
    Response o = client_.Post(prefix + "/passkeys/options", "", With(token));
    EXPECT_EQ(o.status, 200) << o.Describe();
    json::value options = o.Json();
    std::string challenge = Str(options, "challenge");
    std::string rp_id(options.at("rp").at("id").as_string());
    EXPECT_EQ(rp_id, "127.0.0.1");
    std::vector<uint8_t> cd = SoftAuthenticator::ClientData("webauthn.create", challenge, origin_);
    return client_.Post(
        prefix + "/passkeys",
        json::value(json::object{{"name", "Key " + fmt},
                                 {"id", B64u(auth.credential_id())},
                                 {"clientDataJSON", B64u(cd)},
                                 {"attestationObject", B64u(auth.Attest(rp_id, cd, fmt))}}),
        With(token));
  }

  // An assertion by `auth` for the options of `options_path`, from `origin`.
  json::value Assert(SoftAuthenticator& auth, const std::string& options_path,
                     const std::string& owner_id, const std::string& origin = "") {
    Response o = client_.Post(options_path, "", With());
    EXPECT_EQ(o.status, 200) << o.Describe();
    std::string challenge = Str(o.Json(), "challenge");
    std::string rp_id = Str(o.Json(), "rpId");
    std::vector<uint8_t> cd =
        SoftAuthenticator::ClientData("webauthn.get", challenge, origin.empty() ? origin_ : origin);
    auto s = auth.Sign(rp_id, cd);
    return json::object{{"id", B64u(auth.credential_id())},
                        {"clientDataJSON", B64u(cd)},
                        {"authenticatorData", B64u(s.authenticator_data)},
                        {"signature", B64u(s.signature)},
                        {"userHandle", Base64UrlEncode(owner_id)}};
  }

  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  std::string origin_;
};

TEST_F(PasskeyApiTest, ACustomerRegistersAndSignsInWithNoSecondFactor_ACC4) {
  SignUpResult me = SignUpFull(client_, Unique("pk") + "@example.com");
  SoftAuthenticator laptop, phone;
  Response made = Register(laptop, me.token, "/v1/me");
  ASSERT_EQ(made.status, 201) << made.Describe();
  EXPECT_EQ(Str(made.Json(), "name"), "Key none");
  EXPECT_EQ(made.Header("location"), "/v1/me/passkeys/" + Str(made.Json(), "id"));
  ASSERT_EQ(Register(phone, me.token, "/v1/me", "packed").status, 201);
  // The same credential again: 409.
  LETHE_EXPECT_PROBLEM(Register(laptop, me.token, "/v1/me"), 409, "passkey-taken");
  Response list = client_.Get("/v1/me/passkeys", With(me.token));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Json().at("passkeys").as_array().size(), 2u);

  // The API's sign-in: a token, no challenge step.
  json::value body = Assert(laptop, "/v1/sessions/passkey/options", me.customer_id);
  Response in = client_.Post("/v1/sessions/passkey", body, With());
  ASSERT_EQ(in.status, 201) << in.Describe();
  std::string token = Str(in.Json(), "token");
  EXPECT_EQ(Str(client_.Get("/v1/me", With(token)).Json(), "id"), me.customer_id);
  // Replayed: its challenge is spent.
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/sessions/passkey", body, With()), 422,
                       "passkey-challenge-used");
  // Signed for a page of another origin.
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/sessions/passkey",
                                    Assert(laptop, "/v1/sessions/passkey/options", me.customer_id,
                                           "http://evil.example"),
                                    With()),
                       422, "passkey-origin");

  // The portal's sign-in: the cookie, and only from this origin.
  json::value portal = Assert(phone, "/v1/portal/passkey-sessions/options", me.customer_id);
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/portal/passkey-sessions", portal), 403, "csrf-refused");
  Response cookie = client_.Post("/v1/portal/passkey-sessions", portal, With());
  ASSERT_EQ(cookie.status, 201) << cookie.Describe();
  EXPECT_NE(cookie.Header("set-cookie").find("__Host-lethe_session=ses_"), std::string::npos);
  EXPECT_EQ(Str(cookie.Json().at("customer"), "id"), me.customer_id);

  // Last use shown; removal ends the passkey.
  json::array keys = client_.Get("/v1/me/passkeys", With(token)).Json().at("passkeys").as_array();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_TRUE(keys[0].at("last_used_at").is_string());
  Response gone =
      client_.Delete("/v1/me/passkeys/" + std::string(keys[0].at("id").as_string()), With(token));
  EXPECT_EQ(gone.status, 204) << gone.Describe();
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/sessions/passkey",
                   Assert(laptop, "/v1/sessions/passkey/options", me.customer_id), With()),
      422, "passkey-unknown");
}

TEST_F(PasskeyApiTest, AnotherCustomerCannotRemoveOrUseMyPasskey_ACC4) {
  SignUpResult me = SignUpFull(client_, Unique("mine") + "@example.com");
  SignUpResult other = SignUpFull(client_, Unique("other") + "@example.com");
  SoftAuthenticator key;
  Response made = Register(key, me.token, "/v1/me");
  ASSERT_EQ(made.status, 201) << made.Describe();
  LETHE_EXPECT_PROBLEM(
      client_.Delete("/v1/me/passkeys/" + Str(made.Json(), "id"), With(other.token)), 404,
      "not-found");
  EXPECT_TRUE(
      client_.Get("/v1/me/passkeys", With(other.token)).Json().at("passkeys").as_array().empty());
  // Claiming to be the other customer (their user handle) with my key.
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/sessions/passkey",
                   Assert(key, "/v1/sessions/passkey/options", other.customer_id), With()),
      422, "passkey-unknown");
}

TEST_F(PasskeyApiTest, StaffSignInWithAPasskeyAndCustomersCannot_ACC4) {
  ASSERT_EQ(server_->Stop(), 0);
  StaffMember member = AddStaff(server_->data_dir(), "support");
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(server_->Restart());
  origin_ = server_->base_url();
  client_.set_base_url(origin_);
  ASSERT_TRUE(SignInStaff(*server_, &member));

  SoftAuthenticator staff_key, customer_key;
  Response made = Register(staff_key, member.token, "/v1/staff/me");
  ASSERT_EQ(made.status, 201) << made.Describe();
  Response in =
      client_.Post("/v1/staff/sessions/passkey",
                   Assert(staff_key, "/v1/staff/sessions/passkey/options", member.id), With());
  ASSERT_EQ(in.status, 201) << in.Describe();
  std::string token = Str(in.Json(), "token");
  EXPECT_EQ(token.rfind("sts_", 0), 0u);
  EXPECT_EQ(client_.Get("/v1/staff/grants", With(token)).status, 200);
  // A staff token opens no customer route, and a customer's passkey no staff door.
  EXPECT_EQ(client_.Get("/v1/me/passkeys", With(token)).status, 401);
  SignUpResult me = SignUpFull(client_, Unique("cust") + "@example.com");
  ASSERT_EQ(Register(customer_key, me.token, "/v1/me").status, 201);
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/staff/sessions/passkey",
                   Assert(customer_key, "/v1/staff/sessions/passkey/options", me.customer_id),
                   With()),
      422, "passkey-unknown");
  // Nor a staff passkey the customers' door.
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/sessions/passkey",
                   Assert(staff_key, "/v1/sessions/passkey/options", member.id), With()),
      422, "passkey-unknown");
}

TEST_F(PasskeyApiTest, PasskeyChangesAreMailedAndBadAssertionsGet429_ACC4_SEC2) {
  const std::string email = Unique("told") + "@example.com";
  SignUpResult me = SignUpFull(client_, email);
  SoftAuthenticator key;
  Response made = Register(key, me.token, "/v1/me");
  ASSERT_EQ(made.status, 201) << made.Describe();
  const std::string dir = server_->data_dir();
  EXPECT_TRUE(WaitFor([&] {
    return MailsTo(dir, email, "Lethe security notice: A passkey (\"Key none\") was added") == 1;
  }));
  Response gone = client_.Delete("/v1/me/passkeys/" + Str(made.Json(), "id"), With(me.token));
  ASSERT_EQ(gone.status, 204) << gone.Describe();
  EXPECT_TRUE(WaitFor([&] {
    return MailsTo(dir, email, "Lethe security notice: A passkey (\"Key none\") was removed") == 1;
  }));

  // Five bad signatures (the limiter's free failures per owner), then even
  // a good assertion is refused with 429 and Retry-After.
  SoftAuthenticator laptop;
  ASSERT_EQ(Register(laptop, me.token, "/v1/me").status, 201);
  for (int i = 0; i < 5; ++i) {
    json::value bad = Assert(laptop, "/v1/sessions/passkey/options", me.customer_id);
    std::string sig = std::string(bad.at("signature").as_string());
    auto raw = *Base64UrlDecode(sig);
    raw[3] ^= 1;
    bad.as_object()["signature"] = B64u(raw);
    LETHE_EXPECT_PROBLEM(client_.Post("/v1/sessions/passkey", bad, With()), 422, "passkey-invalid");
  }
  Response held =
      client_.Post("/v1/sessions/passkey",
                   Assert(laptop, "/v1/sessions/passkey/options", me.customer_id), With());
  LETHE_EXPECT_PROBLEM(held, 429, "too-many-attempts");
  EXPECT_FALSE(held.Header("retry-after").empty()) << held.Describe();
  // The portal's door shares the count, and so does the password.
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/portal/passkey-sessions",
                   Assert(laptop, "/v1/portal/passkey-sessions/options", me.customer_id), With()),
      429, "too-many-attempts");
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/sessions",
                   json::value(json::object{{"email", email}, {"password", "wrong"}}), With()),
      429, "too-many-attempts");
}

TEST_F(PasskeyApiTest, AStaffPasskeySignsIntoTheConsoleWithTheCookie_ACC4) {
  ASSERT_EQ(server_->Stop(), 0);
  StaffMember member = AddStaff(server_->data_dir(), "support");
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(server_->Restart());
  origin_ = server_->base_url();
  client_.set_base_url(origin_);
  ASSERT_TRUE(SignInStaff(*server_, &member));
  SoftAuthenticator key;
  ASSERT_EQ(Register(key, member.token, "/v1/staff/me").status, 201);
  const std::string options = "/v1/staff/portal/passkey-sessions/options";
  // Both want a page of this origin.
  LETHE_EXPECT_PROBLEM(client_.Post(options, ""), 403, "csrf-refused");
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/staff/portal/passkey-sessions", Assert(key, options, member.id)), 403,
      "csrf-refused");
  Response in =
      client_.Post("/v1/staff/portal/passkey-sessions", Assert(key, options, member.id), With());
  ASSERT_EQ(in.status, 201) << in.Describe();
  const std::string cookie = in.Header("set-cookie");
  EXPECT_NE(cookie.find("__Host-lethe_staff=sts_"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_EQ(Str(in.Json().at("staff"), "id"), member.id);
  EXPECT_FALSE(Str(in.Json(), "csrf_token").empty());
  EXPECT_EQ(in.Header("cache-control"), "no-store");
  // The cookie opens the console's session.
  const std::string token =
      cookie.substr(cookie.find('=') + 1, cookie.find(';') - cookie.find('=') - 1);
  Response session =
      client_.Get("/v1/staff/portal/session", Headers{{"Cookie", "__Host-lethe_staff=" + token}});
  EXPECT_EQ(session.status, 200) << session.Describe();
  // A customer's passkey does not open it.
  SignUpResult me = SignUpFull(client_, Unique("cust") + "@example.com");
  SoftAuthenticator customer_key;
  ASSERT_EQ(Register(customer_key, me.token, "/v1/me").status, 201);
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/staff/portal/passkey-sessions",
                                    Assert(customer_key, options, me.customer_id), With()),
                       422, "passkey-unknown");
}

}  // namespace
}  // namespace lethe::e2e
