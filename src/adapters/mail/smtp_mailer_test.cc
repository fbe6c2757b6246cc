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

namespace lethe {
namespace {

using namespace std::chrono_literals;

// SmtpSink: a real SMTP server on a loopback socket, on its own thread,
// speaking just enough of RFC 5321 for libcurl: the greeting, EHLO/HELO,
// AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT. It records what each
// session sent, and any step's reply can be replaced ("RCPT" -> "550 ...").
class SmtpSink {
 public:
  struct Session {
    std::string mail_from;
    std::vector<std::string> rcpt;
    std::string auth;  // "user:password" from AUTH PLAIN
    std::string data;  // the message, dot-unstuffed, without the final "."
    bool data_done = false;
    bool quit = false;
  };

  SmtpSink() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 8) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~SmtpSink() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // Replaces the reply of `step`: GREETING, EHLO, MAIL, RCPT, DATA or END
  // (the end of the message).
  void Reply(const std::string& step, std::string reply) {
    std::lock_guard lock(mu_);
    replies_[step] = std::move(reply);
  }
  // Advertises AUTH PLAIN and accepts only these credentials.
  void RequireLogin(std::string user, std::string password) {
    std::lock_guard lock(mu_);
    login_ = user + ":" + password;
  }
  // Accepts connections and never says a word.
  void Mute() { mute_ = true; }

  std::vector<Session> sessions() const {
    std::lock_guard lock(mu_);
    return sessions_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      Handle(fd);
      ::close(fd);
    }
  }

  std::string ReplyFor(const std::string& step, const std::string& fallback) {
    std::lock_guard lock(mu_);
    auto it = replies_.find(step);
    return it == replies_.end() ? fallback : it->second;
  }

  void Update(size_t index, const std::function<void(Session&)>& change) {
    std::lock_guard lock(mu_);
    change(sessions_[index]);
  }

  // One CRLF-terminated line into `line`; false on EOF or stop.
  bool ReadLine(int fd, std::string& line) {
    for (;;) {
      size_t eol = buffer_.find("\r\n");
      if (eol != std::string::npos) {
        line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 2);
        return true;
      }
      if (stop_) return false;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char chunk[4096];
      ssize_t n = ::read(fd, chunk, sizeof(chunk));
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  static void Write(int fd, const std::string& reply) {
    std::string out = reply + "\r\n";
    (void)!::write(fd, out.data(), out.size());
  }

  void Handle(int fd) {
    buffer_.clear();
    size_t index;
    std::string login;
    {
      std::lock_guard lock(mu_);
      index = sessions_.size();
      sessions_.emplace_back();
      login = login_;
    }
    std::string line;
    if (mute_) {
      while (ReadLine(fd, line)) {
      }
      return;
    }
    Write(fd, ReplyFor("GREETING", "220 sink.test ESMTP"));
    while (ReadLine(fd, line)) {
      std::string verb = line.substr(0, 4);
      for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (verb == "EHLO") {
        Write(fd, ReplyFor("EHLO", login.empty() ? "250-sink.test\r\n250 8BITMIME"
                                                 : "250-sink.test\r\n250 AUTH PLAIN"));
      } else if (verb == "HELO") {
        Write(fd, "250 sink.test");
      } else if (verb == "AUTH") {
        std::string response = line.size() > 11 ? line.substr(11) : "";
        if (response.empty()) {
          Write(fd, "334 ");
          if (!ReadLine(fd, response)) return;
        }
        auto bytes = Base64Decode(response);
        std::string plain = bytes ? std::string(bytes->begin(), bytes->end()) : "";
        size_t a = plain.find('\0'), b = plain.find('\0', a + 1);
        std::string got = b == std::string::npos
                              ? ""
                              : plain.substr(a + 1, b - a - 1) + ":" + plain.substr(b + 1);
        Update(index, [&](Session& s) { s.auth = got; });
        Write(fd, got == login ? "235 2.7.0 ok" : "535 5.7.8 bad credentials");
      } else if (verb == "MAIL") {
        Update(index, [&](Session& s) { s.mail_from = line.substr(10); });
        Write(fd, ReplyFor("MAIL", "250 2.1.0 ok"));
      } else if (verb == "RCPT") {
        Update(index, [&](Session& s) { s.rcpt.push_back(line.substr(8)); });
        Write(fd, ReplyFor("RCPT", "250 2.1.5 ok"));
      } else if (verb == "DATA") {
        std::string reply = ReplyFor("DATA", "354 end with <CRLF>.<CRLF>");
        Write(fd, reply);
        if (reply[0] != '3') continue;
        std::string data;
        for (;;) {
          if (!ReadLine(fd, line)) return;
          if (line == ".") break;
          if (line.starts_with(".")) line.erase(0, 1);  // undo dot-stuffing
          data += line + "\r\n";
        }
        Update(index, [&](Session& s) {
          s.data = data;
          s.data_done = true;
        });
        Write(fd, ReplyFor("END", "250 2.0.0 queued"));
      } else if (verb == "QUIT") {
        Update(index, [&](Session& s) { s.quit = true; });
        Write(fd, "221 2.0.0 bye");
        return;
      } else if (verb == "RSET" || verb == "NOOP") {
        Write(fd, "250 2.0.0 ok");
      } else {
        Write(fd, "502 5.5.2 not implemented");
      }
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> mute_{false};
  std::string buffer_;  // the sink thread's read buffer
  mutable std::mutex mu_;
  std::map<std::string, std::string> replies_;
  std::string login_;
  std::vector<Session> sessions_;
  std::thread thread_;
};

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
