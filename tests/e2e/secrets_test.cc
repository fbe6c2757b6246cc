// Secrets never leak (SEC-2, ACC-4): a real server is run through password
// sign-up and sign-ins, session use, API credentials, TOTP enrolment,
// recovery-code use, SMS enrolment and SMS sign-in, a password change and
// turning 2FA off. Then every byte it wrote is read: its stdout and
// stderr, and every file under its data directory (SQLite database, WAL,
// key store, mail outbox, anchors, everything), while it runs and again
// after it stopped. None of the secrets handed out or typed in may appear:
// passwords (a mistyped one too), session tokens, the account token and
// API key secret, the TOTP seed (base32 and raw bytes), recovery codes,
// SMS and TOTP codes, and the phone number in the clear. The SMS sender
// writes to a directory outside the data directory: that is the phone.
//
// The scan is first shown to work: it must find secrets planted in a
// scratch tree, and it must see the database and the customer's email in
// it, or the test fails.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>

#include "common/encoding.h"
#include "crypto/totp.h"
#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kPhone = "+447700900456";

// Every byte of a set of files, read once, searched for each secret.
class Evidence {
 public:
  // Reads every regular file under `dir`, hidden ones and subdirectories
  // included.
  void AddTree(const std::string& dir) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_regular_file(ec)) AddFile(it->path().string());
    }
    EXPECT_FALSE(ec) << ec.message();
  }
  void AddFile(const std::string& path) { files_[path] = ReadFileBytes(path); }

  // The files holding `secret`. A short numeric code counts only where no
  // digit touches it on either side: six digits inside a longer number (a
  // timestamp) or a digest are not that code.
  std::vector<std::string> Where(const std::string& secret, bool isolated_digits = false) const {
    std::vector<std::string> hits;
    for (const auto& [path, bytes] : files_) {
      for (size_t at = bytes.find(secret); at != std::string::npos;
           at = bytes.find(secret, at + 1)) {
        auto digit = [&](size_t i) { return bytes[i] >= '0' && bytes[i] <= '9'; };
        if (isolated_digits && ((at > 0 && digit(at - 1)) ||
                                (at + secret.size() < bytes.size() && digit(at + secret.size())))) {
          continue;
        }
        hits.push_back(path);
        break;
      }
    }
    return hits;
  }
  bool Has(const std::string& suffix) const {
    for (const auto& [path, bytes] : files_) {
      if (path.ends_with(suffix)) return true;
    }
    return false;
  }
  size_t size() const { return files_.size(); }

 private:
  std::map<std::string, std::string> files_;
};

struct Secret {
  std::string what;
  std::string value;
  bool isolated_digits = false;
};

std::string MakeTempDir(const std::string& tag) {
  std::string tmpl = "/tmp/lethe-" + tag + "-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  EXPECT_NE(made, nullptr);
  return made ? std::string(made) : "";
}

TEST(SecretsTest, TheScanFindsASecretPlantedAnywhereInATree_SEC2) {
  const std::string dir = MakeTempDir("scan");
  fs::create_directories(dir + "/deep/.hidden");
  {
    std::ofstream out(dir + "/deep/.hidden/blob.bin", std::ios::binary);
    std::string junk(4096, '\0');
    for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>(i * 37);
    out << junk << "rc-planted-secret-7c1e" << junk
        << std::string(
               "\x01"
               "482913"
               "\x02",
               8);
  }
  {
    std::ofstream out(dir + "/clock.txt");
    out << "1795000482913000\n";  // the code inside a longer number is not the code
  }
  Evidence scan;
  scan.AddTree(dir);
  EXPECT_EQ(scan.size(), 2u);
  EXPECT_EQ(scan.Where("rc-planted-secret-7c1e"),
            std::vector<std::string>{dir + "/deep/.hidden/blob.bin"});
  EXPECT_EQ(scan.Where("482913", true), std::vector<std::string>{dir + "/deep/.hidden/blob.bin"});
  EXPECT_TRUE(scan.Where("rc-never-written").empty());
  fs::remove_all(dir);
}

class SecretsRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    phone_dir_ = MakeTempDir("phone");
    server_ = StartTestClockServer({"--sms-outbox", phone_dir_});
    ASSERT_TRUE(server_ && server_->ok()) << "server did not start";
    client_.set_base_url(server_->base_url());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
    server_.reset();
    fs::remove_all(phone_dir_);
  }

  Headers Auth(const std::string& token) { return {{"Authorization", BearerHeader(token)}}; }
  void Keep(std::string what, std::string value, bool isolated = false) {
    ASSERT_FALSE(value.empty()) << what;
    secrets_.push_back(Secret{std::move(what), std::move(value), isolated});
  }

  int64_t ServerNowMs() {
    Response r = client_.Post("/_test/clock", json::value(json::object{{"advance_seconds", 0}}));
    EXPECT_EQ(r.status, 200) << r.Describe();
    int64_t offset_s = r.Json().as_object().at("offset_seconds").to_number<int64_t>();
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::milliseconds>(now).count() + offset_s * 1000;
  }
  // A fresh TOTP code: the clock first moves past the last step used.
  std::string TotpNow() {
    EXPECT_TRUE(AdvanceClock(*server_, kTotpStepSeconds));
    auto code = TotpCode(seed_, TotpStep(ServerNowMs()));
    EXPECT_TRUE(code.ok());
    if (code.ok()) Keep("a TOTP code", *code, true);
    return code.ok() ? *code : "";
  }
  // The one text on the phone: its code.
  std::string SmsCode() {
    std::vector<fs::path> texts;
    for (const auto& e : fs::directory_iterator(phone_dir_)) {
      if (e.path().extension() == ".json") texts.push_back(e.path());
    }
    EXPECT_EQ(texts.size(), 1u);
    if (texts.size() != 1) return "";
    std::string body(json::parse(ReadFileBytes(texts[0].string())).at("body").as_string());
    fs::rename(texts[0], texts[0].string() + ".read");  // the phone keeps its texts
    std::string code = body.substr(body.find_first_of("0123456789"), 6);
    Keep("an SMS code", code, true);
    return code;
  }
  // Password, then the second step with `code` (or none when 2FA is off).
  std::string SignIn(const std::string& password, const std::function<std::string()>& code) {
    Response first = client_.Post(
        "/v1/sessions", json::value(json::object{{"email", email_}, {"password", password}}));
    std::string token;
    if (!code) {
      EXPECT_EQ(first.status, 201) << first.Describe();
      token = first.status == 201 ? Str(first.Json(), "token") : "";
    } else {
      EXPECT_EQ(first.status, 202) << first.Describe();
      Response done =
          client_.Post("/v1/sessions/2fa",
                       json::value(json::object{{"challenge", Str(first.Json(), "challenge")},
                                                {"code", code()}}));
      EXPECT_EQ(done.status, 201) << done.Describe();
      token = done.status == 201 ? Str(done.Json(), "token") : "";
    }
    Keep("a session token", token);
    EXPECT_EQ(client_.Get("/v1/me", Auth(token)).status, 200) << "the session is used";
    return token;
  }

  std::string phone_dir_;
  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  std::string email_;
  std::vector<uint8_t> seed_;
  std::vector<Secret> secrets_;
};

TEST_F(SecretsRunTest, NoSecretReachesTheLogsOrTheDataDirectory_SEC2_ACC4) {
  email_ = Unique("secrets") + "@example.com";
  const std::string password = "zebra-" + Unique("pw") + "-lamp-staple";
  const std::string changed = "otter-" + Unique("pw") + "-kettle-rain";
  const std::string mistyped = "walrus-" + Unique("pw") + "-typo-typo";
  Keep("the password", password);
  Keep("the changed password", changed);
  Keep("a mistyped password", mistyped);

  SignUpResult signup = SignUpFull(client_, email_, password);
  Keep("the sign-up session token", signup.token);
  AccountInfo account = CreateAccount(client_, signup.token, "app");
  Keep("the account token", account.api_token);
  KeyInfo key = CreateKey(client_, signup.token, account.id);
  Keep("an API key secret", key.secret);

  // TOTP on, with recovery codes.
  Response enrol = client_.Post("/v1/me/2fa/totp", "", Auth(signup.token));
  ASSERT_EQ(enrol.status, 201) << enrol.Describe();
  const std::string base32 = Str(enrol.Json(), "secret");
  seed_ = Base32Decode(base32).value_or(std::vector<uint8_t>{});
  ASSERT_EQ(seed_.size(), kTotpSeedBytes);
  Keep("the TOTP seed (base32)", base32);
  Keep("the TOTP seed (raw)", std::string(seed_.begin(), seed_.end()));
  Response totp_on =
      client_.Post("/v1/me/2fa/totp/confirm", json::value(json::object{{"code", TotpNow()}}),
                   Auth(signup.token));
  ASSERT_EQ(totp_on.status, 200) << totp_on.Describe();
  std::vector<std::string> recovery;
  for (const auto& c : Arr(totp_on.Json(), "recovery_codes")) {
    recovery.emplace_back(c.as_string());
    Keep("a recovery code", recovery.back());
  }
  ASSERT_EQ(recovery.size(), 10u);

  // SMS on as well.
  Response sms = client_.Post("/v1/me/2fa/sms", json::value(json::object{{"phone", kPhone}}),
                              Auth(signup.token));
  ASSERT_EQ(sms.status, 201) << sms.Describe();
  Response sms_on = client_.Post(
      "/v1/me/2fa/sms/confirm", json::value(json::object{{"code", SmsCode()}}), Auth(signup.token));
  ASSERT_EQ(sms_on.status, 200) << sms_on.Describe();

  // A mistyped password, then sign-ins with each kind of second factor.
  Response wrong = client_.Post(
      "/v1/sessions", json::value(json::object{{"email", email_}, {"password", mistyped}}));
  EXPECT_EQ(wrong.status, 401) << wrong.Describe();
  // By SMS: the code is sent for the challenge.
  Response first = client_.Post(
      "/v1/sessions", json::value(json::object{{"email", email_}, {"password", password}}));
  ASSERT_EQ(first.status, 202) << first.Describe();
  const std::string challenge = Str(first.Json(), "challenge");
  ASSERT_EQ(
      client_.Post("/v1/sessions/2fa/sms", json::value(json::object{{"challenge", challenge}}))
          .status,
      202);
  Response by_sms = client_.Post(
      "/v1/sessions/2fa", json::value(json::object{{"challenge", challenge}, {"code", SmsCode()}}));
  ASSERT_EQ(by_sms.status, 201) << by_sms.Describe();
  Keep("a session token", Str(by_sms.Json(), "token"));
  EXPECT_EQ(client_.Get("/v1/me", Auth(Str(by_sms.Json(), "token"))).status, 200);
  SignIn(password, [&] { return recovery[0]; });
  const std::string session = SignIn(password, [&] { return TotpNow(); });

  // A password change, a sign-in with the new one, and 2FA off by SMS.
  Response change = client_.Post(
      "/v1/me/password",
      json::value(json::object{{"current_password", password}, {"new_password", changed}}),
      Auth(session));
  ASSERT_LT(change.status, 300) << change.Describe();
  const std::string last = SignIn(changed, [&] { return TotpNow(); });
  ASSERT_TRUE(AdvanceClock(*server_, 30));
  ASSERT_EQ(client_.Post("/v1/me/2fa/sms/code", "", Auth(last)).status, 202);
  Response off = client_.Request("DELETE", "/v1/me/2fa",
                                 json::serialize(json::object{{"code", SmsCode()}}), Auth(last));
  ASSERT_EQ(off.status, 204) << off.Describe();
  SignIn(changed, nullptr);

  // The mail of the last change has landed: the outbox has run.
  std::vector<std::string> mails;
  WaitFor([&] {
    return !(mails = FilesContaining(server_->data_dir() + "/outbox-mail",
                                     "Two-factor authentication was turned off"))
                .empty();
  });
  ASSERT_EQ(mails.size(), 1u);

  // The phone got the texts; the number in clear stays there.
  Evidence phone;
  phone.AddTree(phone_dir_);
  EXPECT_EQ(phone.Where(kPhone).size(), 3u);

  auto check = [&](const char* when) {
    Evidence seen;
    seen.AddTree(server_->data_dir());
    seen.AddFile(server_->stderr_path());
    seen.AddFile(server_->stdout_path());
    // The scan sees what it must: the database, the keys and the mail,
    // and the email address, which is kept in the clear.
    EXPECT_TRUE(seen.Has("/lethe.db")) << when;
    EXPECT_TRUE(seen.Has("/keys.db")) << when;
    EXPECT_TRUE(seen.Has(".eml")) << when;
    EXPECT_FALSE(seen.Where(email_).empty()) << when;
    for (const Secret& s : secrets_) {
      EXPECT_EQ(seen.Where(s.value, s.isolated_digits), std::vector<std::string>{})
          << when << ": " << s.what << " found";
    }
    for (const std::string& number :
         {std::string(kPhone), std::string(kPhone + 1), std::string(kPhone + 3)}) {
      EXPECT_EQ(seen.Where(number), std::vector<std::string>{}) << when << ": the phone number";
    }
  };
  ASSERT_EQ(secrets_.size(), 29u);  // every secret of the run was kept
  check("while the server runs");
  EXPECT_EQ(server_->Stop(), 0);
  check("after the server stopped");
}

}  // namespace
}  // namespace lethe::e2e
