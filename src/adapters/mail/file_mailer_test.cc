#include "adapters/mail/file_mailer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "testing/mail_reader.h"
#include "testing/temp_dir.h"

namespace lethe {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1796083200000;  // Tue, 01 Dec 2026 00:00:00 UTC

MailMessage Sample() {
  MailMessage m;
  m.id = "mail_0123456789";
  m.from = "noreply@lethe.example";
  m.to = "ada@example.com";
  m.subject = "Your account was deleted";
  m.text = "Hello Ada,\n\nyour account and its media are gone.\n";
  return m;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

class FileMailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = FileMailer::Open(dir_, clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    mailer_ = std::move(*opened);
  }

  TempDir tmp_;
  std::string dir_ = tmp_.File("outbox-mail");
  ManualClock clock_{kNow};
  std::unique_ptr<FileMailer> mailer_;
};

TEST_F(FileMailerTest, WritesOnePrivateEmlThatReadsBack) {
  ASSERT_TRUE(mailer_->Send(Sample()).ok());
  EXPECT_EQ(Entries(dir_), std::vector<std::string>{"mail_0123456789.eml"});
  struct stat st {};
  ASSERT_EQ(::stat(mailer_->PathFor("mail_0123456789").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto mail = ReadMailText(ReadFile(mailer_->PathFor("mail_0123456789")));
  ASSERT_TRUE(mail.has_value());
  EXPECT_EQ(mail->headers["Date"], "Tue, 01 Dec 2026 00:00:00 +0000");
  EXPECT_EQ(mail->headers["To"], "ada@example.com");
  EXPECT_EQ(mail->headers["Message-ID"], "<mail_0123456789@lethe.example>");
  EXPECT_EQ(mail->decoded["Subject"], "Your account was deleted");
  EXPECT_EQ(mail->body, "Hello Ada,\r\n\r\nyour account and its media are gone.\r\n");
  EXPECT_TRUE(mail->crlf_only);
}

TEST_F(FileMailerTest, NonAsciiSubjectIsEncodedInTheFile) {
  MailMessage m = Sample();
  m.subject = "Vos données ont été supprimées ✓";
  m.text = "Bonjour Zoë,\nc'est fait.\n";
  ASSERT_TRUE(mailer_->Send(m).ok());
  std::string raw = ReadFile(mailer_->PathFor(m.id));
  auto mail = ReadMailText(raw);
  ASSERT_TRUE(mail.has_value());
  EXPECT_TRUE(mail->seven_bit);  // nothing but ASCII on disk
  EXPECT_NE(mail->headers["Subject"].find("=?UTF-8?B?"), std::string::npos);
  EXPECT_EQ(mail->decoded["Subject"], m.subject);
  EXPECT_EQ(mail->body, "Bonjour Zoë,\r\nc'est fait.\r\n");
}

TEST_F(FileMailerTest, ARetriedSendReplacesTheFirstCopy) {
  MailMessage m = Sample();
  ASSERT_TRUE(mailer_->Send(m).ok());
  clock_.Advance(60'000);
  m.text = "second attempt\n";
  ASSERT_TRUE(mailer_->Send(m).ok());
  EXPECT_EQ(Entries(dir_), std::vector<std::string>{"mail_0123456789.eml"});
  auto mail = ReadMailText(ReadFile(mailer_->PathFor(m.id)));
  ASSERT_TRUE(mail.has_value());
  EXPECT_EQ(mail->body, "second attempt\r\n");
  EXPECT_EQ(mail->headers["Date"], "Tue, 01 Dec 2026 00:01:00 +0000");
}

// True when `raw` is one whole message whose body is a run of one letter.
bool WholeMessage(const std::string& raw) {
  auto mail = ReadMailText(raw);
  if (!mail || mail->body.size() < 2000) return false;
  return mail->body.find_first_not_of(mail->body[0]) == mail->body.size() - 2;
}

// Threads sending the same ids at once while another reads: a reader only
// ever sees a whole message (never a partial or interleaved one), and no
// temp file is left behind.
TEST_F(FileMailerTest, ConcurrentSendsAreAtomicAndLeaveNoTempFiles) {
  constexpr int kThreads = 4, kEach = 25;
  std::atomic<bool> writing{true};
  std::atomic<int> reads{0}, torn{0};
  std::thread reader([&] {
    while (writing) {
      std::ifstream in(mailer_->PathFor("mail_0"), std::ios::binary);
      if (!in) continue;
      std::stringstream s;
      s << in.rdbuf();
      ++reads;
      if (!WholeMessage(s.str())) ++torn;
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        MailMessage m = Sample();
        m.id = "mail_" + std::to_string(i % 5);
        m.text = std::string(2000 + t * 100 + i, static_cast<char>('a' + t)) + "\n";
        EXPECT_TRUE(mailer_->Send(m).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  writing = false;
  reader.join();
  std::printf("[ figures ] %d reads during 100 sends, %d torn\n", reads.load(), torn.load());
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(torn.load(), 0);
  std::vector<std::string> want;
  for (int i = 0; i < 5; ++i) want.push_back("mail_" + std::to_string(i) + ".eml");
  EXPECT_EQ(Entries(dir_), want);
  for (const std::string& name : want) EXPECT_TRUE(WholeMessage(ReadFile(dir_ + "/" + name)));
}

TEST_F(FileMailerTest, HeaderInjectionIsRefusedAndNothingIsWritten) {
  MailMessage m = Sample();
  m.subject = "Hi\r\nBcc: everyone@evil.example";
  Status st = mailer_->Send(m);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.reason(), "mail-header-injection");
  m = Sample();
  m.id = "../../etc/passwd";
  EXPECT_EQ(mailer_->Send(m).reason(), "mail-bad-id");
  EXPECT_TRUE(Entries(dir_).empty());
}

TEST_F(FileMailerTest, OpenRemovesTempFilesACrashLeft) {
  ASSERT_TRUE(mailer_->Send(Sample()).ok());
  std::ofstream(dir_ + "/.mail_x.7.tmp") << "half a message";
  std::ofstream(dir_ + "/notes.txt") << "not ours";
  auto reopened = FileMailer::Open(dir_, clock_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(Entries(dir_), (std::vector<std::string>{"mail_0123456789.eml", "notes.txt"}));
}

TEST_F(FileMailerTest, AFilesystemFailureIsTransient) {
  // Root ignores permission bits, so take the directory away instead.
  fs::remove_all(dir_);
  Status st = mailer_->Send(Sample());
  EXPECT_EQ(st.code(), Status::Code::kUnavailable) << st.ToString();
  EXPECT_EQ(st.message().find("ada@"), std::string::npos);
  ASSERT_TRUE(fs::create_directory(dir_));
  EXPECT_TRUE(mailer_->Send(Sample()).ok());  // the retry gets through
}

}  // namespace
}  // namespace lethe
