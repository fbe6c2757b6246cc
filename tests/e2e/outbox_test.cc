// The outbox: security notices leave by mail (a file per message by
// default, SMTP with --smtp-url), once their change commits, and a relay
// that is down is retried until it takes them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.h"
#include "media_support.h"
#include "testing/smtp_sink.h"

namespace lethe::e2e {
namespace {

std::vector<std::string> MailFiles(const std::string& data_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir + "/outbox-mail", ec)) {
    if (entry.path().extension() == ".eml") {
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      out.push_back(text.str());
    }
  }
  return out;
}

TEST(OutboxTest, ANewKeyAndARotatedTokenAreMailedToTheCustomer) {
  ServerProcess server;
  HttpClient client(server.base_url());
  std::string email = Unique("notice") + "@example.com";
  std::string session = SignUp(client, email);
  AccountInfo a = CreateAccount(client, session, "Notified app", "us");
  EXPECT_TRUE(MailFiles(server.data_dir()).empty());  // nothing to tell yet
  KeyInfo key = CreateKey(client, session, a.id);
  ASSERT_FALSE(key.key_id.empty());
  ASSERT_TRUE(WaitFor([&] { return MailFiles(server.data_dir()).size() == 1; }));
  std::string mail = MailFiles(server.data_dir())[0];
  EXPECT_NE(mail.find("To: " + email), std::string::npos) << mail;
  EXPECT_NE(mail.find(key.key_id), std::string::npos) << mail;
  EXPECT_EQ(mail.find(key.secret), std::string::npos) << "a secret was mailed";
  Response rotated = client.Post("/v1/accounts/" + a.id + "/token", "", BearerAuth(session));
  ASSERT_EQ(rotated.status, 200) << rotated.Describe();
  ASSERT_TRUE(WaitFor([&] { return MailFiles(server.data_dir()).size() == 2; }));
  for (const std::string& m : MailFiles(server.data_dir())) {
    EXPECT_EQ(m.find(Str(rotated.Json(), "api_token")), std::string::npos) << "a token was mailed";
  }
}

TEST(OutboxTest, ARelayThatIsDownGetsTheNoticeOnceItIsBack) {
  SmtpSink relay;
  relay.Reply("MAIL", "451 4.3.0 try again later");
  ServerProcess server({"--smtp-url", relay.url(), "--mail-from", "security@lethe.test"});
  HttpClient client(server.base_url());
  std::string email = Unique("relay") + "@example.com";
  std::string session = SignUp(client, email);
  AccountInfo a = CreateAccount(client, session, "Relayed", "eu");
  KeyInfo key = CreateKey(client, session, a.id);
  ASSERT_FALSE(key.key_id.empty());
  // The first attempt is refused with a 4xx; the job backs off (2 s) and
  // tries again.
  ASSERT_TRUE(
      WaitFor([&] { return !relay.sessions().empty() && !relay.sessions()[0].mail_from.empty(); }));
  // The refusal is written right after MAIL is recorded; the retry comes
  // only after a 2 s backoff, so a short pause lets the first attempt end
  // refused before the relay recovers.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  relay.Reply("MAIL", "250 2.1.0 ok");
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& s : relay.sessions()) {
          if (s.data_done) return true;
        }
        return false;
      },
      std::chrono::seconds(15)));
  SmtpSink::Session delivered;
  for (const auto& s : relay.sessions()) {
    if (s.data_done) delivered = s;
  }
  EXPECT_GE(relay.sessions().size(), 2u);
  EXPECT_NE(delivered.mail_from.find("<security@lethe.test>"), std::string::npos)
      << delivered.mail_from;
  ASSERT_EQ(delivered.rcpt.size(), 1u);
  EXPECT_NE(delivered.rcpt[0].find("<" + email + ">"), std::string::npos) << delivered.rcpt[0];
  EXPECT_NE(delivered.data.find(key.key_id), std::string::npos);
}

// A notice queued before a SIGKILL still goes out: its job is durable and
// the restarted server resumes it.
TEST(OutboxTest, AQueuedNoticeSurvivesACrash) {
  SmtpSink relay;
  relay.Reply("MAIL", "451 4.3.0 try again later");
  ServerProcess server({"--smtp-url", relay.url()});
  HttpClient client(server.base_url());
  std::string session = SignUp(client, Unique("crash") + "@example.com");
  AccountInfo a = CreateAccount(client, session, "Crashing", "us");
  KeyInfo key = CreateKey(client, session, a.id);
  ASSERT_FALSE(key.key_id.empty());
  ASSERT_TRUE(WaitFor([&] { return !relay.sessions().empty(); }));
  server.Kill();
  relay.Reply("MAIL", "250 2.1.0 ok");
  ASSERT_TRUE(server.Restart());
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& s : relay.sessions()) {
          if (s.data_done && s.data.find(key.key_id) != std::string::npos) return true;
        }
        return false;
      },
      std::chrono::seconds(15)));
}

}  // namespace
}  // namespace lethe::e2e
