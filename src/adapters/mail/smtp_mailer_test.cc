#include "adapters/mail/smtp_mailer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/mail/rfc5322.h"
#include "common/encoding.h"
#include "testing/mail_reader.h"
#include "testing/smtp_sink.h"

namespace lethe {
namespace {

using namespace std::chrono_literals;

MailMessage Sample() {
  MailMessage m;
  m.id = "mail_smtp01";
  m.from = "noreply@lethe.example";
  m.to = "ada@example.com";
  m.subject = "Datenexport bereit — ✓";
  m.text = "Hello Ada,\n.\nA line with only a dot came before this one.\n..and two dots.\n";
  return m;
}

class SmtpMailerTest : public ::testing::Test {
 protected:
  std::unique_ptr<SmtpMailer> Mailer(const std::string& url,
                                     std::chrono::milliseconds total = 10s) {
    SmtpOptions options;
    options.url = url;
    options.connect_timeout = 2s;
    options.total_timeout = total;
    auto mailer = SmtpMailer::Create(options, clock_);
    EXPECT_TRUE(mailer.ok()) << mailer.status().ToString();
    return mailer.ok() ? std::move(*mailer) : nullptr;
  }

  ManualClock clock_{1796083200000};
  SmtpSink sink_;
};

TEST_F(SmtpMailerTest, DeliversEnvelopeAndTheSameTextAsTheFileMailer) {
  auto mailer = Mailer(sink_.url());
  ASSERT_TRUE(mailer);
  Status st = mailer->Send(Sample());
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto sessions = sink_.sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].mail_from, "<noreply@lethe.example>");
  EXPECT_EQ(sessions[0].rcpt, std::vector<std::string>{"<ada@example.com>"});
  ASSERT_TRUE(sessions[0].data_done);
  auto want = FormatMailMessage(Sample(), clock_.NowMillis());
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(sessions[0].data, *want);
  auto mail = ReadMailText(sessions[0].data);
  ASSERT_TRUE(mail.has_value());
  EXPECT_EQ(mail->decoded["Subject"], Sample().subject);
  EXPECT_EQ(
      mail->body,
      "Hello Ada,\r\n.\r\nA line with only a dot came before this one.\r\n..and two dots.\r\n");
}

TEST_F(SmtpMailerTest, A4xxReplyIsTransient) {
  auto mailer = Mailer(sink_.url());
  ASSERT_TRUE(mailer);
  sink_.Reply("RCPT", "451 4.7.1 greylisted, try again later");
  EXPECT_EQ(mailer->Send(Sample()).code(), Status::Code::kUnavailable);
  sink_.Reply("RCPT", "250 2.1.5 ok");
  sink_.Reply("MAIL", "421 4.3.2 shutting down");
  EXPECT_EQ(mailer->Send(Sample()).code(), Status::Code::kUnavailable);
  sink_.Reply("MAIL", "250 2.1.0 ok");
  sink_.Reply("END", "452 4.3.1 insufficient storage");
  EXPECT_EQ(mailer->Send(Sample()).code(), Status::Code::kUnavailable);
  sink_.Reply("END", "250 2.0.0 queued");
  EXPECT_TRUE(mailer->Send(Sample()).ok());  // the retry gets through
}

TEST_F(SmtpMailerTest, A5xxReplyToTheMessageIsPermanent) {
  auto mailer = Mailer(sink_.url());
  ASSERT_TRUE(mailer);
  sink_.Reply("RCPT", "550 5.1.1 no such user");
  Status st = mailer->Send(Sample());
  EXPECT_EQ(st.code(), Status::Code::kFailedPrecondition) << st.ToString();
  EXPECT_EQ(st.reason(), "smtp-rejected");
  EXPECT_EQ(st.message().find("ada@"), std::string::npos);  // no address in logs
  sink_.Reply("RCPT", "250 2.1.5 ok");
  sink_.Reply("END", "554 5.7.1 message refused");
  st = mailer->Send(Sample());
  EXPECT_EQ(st.code(), Status::Code::kFailedPrecondition) << st.ToString();
  sink_.Reply("END", "250 2.0.0 queued");
  sink_.Reply("MAIL", "553 5.1.8 bad sender");
  EXPECT_EQ(mailer->Send(Sample()).code(), Status::Code::kFailedPrecondition);
}

// A relay that refuses the session (not this message) is retried: its
// operator can fix it, and the message must not be dropped meanwhile.
TEST_F(SmtpMailerTest, A5xxGreetingIsTransient) {
  auto mailer = Mailer(sink_.url());
  ASSERT_TRUE(mailer);
  sink_.Reply("GREETING", "554 5.3.2 no service for you");
  Status st = mailer->Send(Sample());
  EXPECT_EQ(st.code(), Status::Code::kUnavailable) << st.ToString();
  EXPECT_TRUE(sink_.sessions().at(0).mail_from.empty());
}

TEST_F(SmtpMailerTest, AClosedPortIsTransient) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);  // bound once, never listened on: nothing answers there
  auto mailer = Mailer("smtp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  ASSERT_TRUE(mailer);
  Status st = mailer->Send(Sample());
  EXPECT_EQ(st.code(), Status::Code::kUnavailable) << st.ToString();
}

TEST_F(SmtpMailerTest, ASilentServerTimesOut) {
  sink_.Mute();
  auto mailer = Mailer(sink_.url(), 300ms);
  ASSERT_TRUE(mailer);
  auto start = std::chrono::steady_clock::now();
  Status st = mailer->Send(Sample());
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(st.code(), Status::Code::kUnavailable) << st.ToString();
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3s);
}

TEST_F(SmtpMailerTest, CredentialsComeFromTheUrlAndStayOutOfStatuses) {
  sink_.RequireLogin("relay", "s3cr3t p@ss");
  auto good = Mailer("smtp://relay:s3cr3t%20p%40ss@127.0.0.1:" + std::to_string(sink_.port()));
  ASSERT_TRUE(good);
  EXPECT_EQ(good->redacted_url(), sink_.url());
  Status st = good->Send(Sample());
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(sink_.sessions().at(0).auth, "relay:s3cr3t p@ss");

  auto bad = Mailer("smtp://relay:wrong-s3cr3t@127.0.0.1:" + std::to_string(sink_.port()));
  ASSERT_TRUE(bad);
  st = bad->Send(Sample());
  EXPECT_EQ(st.code(), Status::Code::kUnavailable) << st.ToString();
  EXPECT_EQ(st.reason(), "smtp-login-denied");
  EXPECT_EQ(st.ToString().find("s3cr3t"), std::string::npos);
  EXPECT_TRUE(sink_.sessions().at(1).mail_from.empty());
}

TEST_F(SmtpMailerTest, StartTlsRequiredButNotOfferedSendsNothing) {
  auto mailer = Mailer(sink_.url() + "?starttls=required");
  ASSERT_TRUE(mailer);
  Status st = mailer->Send(Sample());
  EXPECT_EQ(st.code(), Status::Code::kUnavailable) << st.ToString();
  EXPECT_EQ(st.reason(), "smtp-tls-failed");
  auto sessions = sink_.sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_TRUE(sessions[0].mail_from.empty());
  EXPECT_FALSE(sessions[0].data_done);
}

TEST_F(SmtpMailerTest, AMalformedMessageNeverConnects) {
  auto mailer = Mailer(sink_.url());
  ASSERT_TRUE(mailer);
  MailMessage m = Sample();
  m.to = "ada@example.com\r\nRCPT TO:<everyone@example.com>";
  EXPECT_EQ(mailer->Send(m).reason(), "mail-header-injection");
  EXPECT_TRUE(sink_.sessions().empty());
}

TEST(SmtpMailerCreateTest, RefusesBadUrlsAndTimeouts) {
  ManualClock clock(0);
  for (const char* url : {"", "not a url", "http://relay.example", "smtp://", "smtp:relay",
                          "smtp://relay.example?starttls=maybe", "smtp://relay.example?x=1",
                          "smtp://relay.example#frag"}) {
    auto mailer = SmtpMailer::Create(SmtpOptions{url}, clock);
    ASSERT_FALSE(mailer.ok()) << url;
    EXPECT_EQ(mailer.status().reason(), "smtp-bad-url") << url;
  }
  auto ok =
      SmtpMailer::Create(SmtpOptions{"SMTPS://user:pw@relay.example:465/lethe.example"}, clock);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)->redacted_url(), "smtps://relay.example:465");
  SmtpOptions zero{"smtp://relay.example"};
  zero.total_timeout = 0ms;
  EXPECT_EQ(SmtpMailer::Create(zero, clock).status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace lethe
