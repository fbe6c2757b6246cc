#include "testing/faulty_mailer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/mail/file_mailer.h"
#include "testing/temp_dir.h"

namespace lethe {
namespace {

MailMessage Message(int n) {
  MailMessage m;
  m.id = "mail_" + std::to_string(n);
  m.from = "noreply@lethe.example";
  m.to = "ada@example.com";
  m.subject = "n";
  m.text = "n\n";
  return m;
}

TEST(FaultyMailerTest, FailsTheChosenCallsAndPassesTheRestThrough) {
  TempDir tmp;
  ManualClock clock(0);
  auto files = FileMailer::Open(tmp.File("out"), clock);
  ASSERT_TRUE(files.ok());
  FaultyMailer mail(**files);
  mail.FailFirst(2, Status::Unavailable("relay down"));
  mail.FailNth(4, Status::FailedPrecondition("smtp-rejected", "550"));
  std::vector<Status::Code> codes;
  for (int i = 1; i <= 5; ++i) codes.push_back(mail.Send(Message(i)).code());
  EXPECT_EQ(codes, (std::vector<Status::Code>{
                       Status::Code::kUnavailable, Status::Code::kUnavailable, Status::Code::kOk,
                       Status::Code::kFailedPrecondition, Status::Code::kOk}));
  EXPECT_EQ(mail.calls(), 5u);
  EXPECT_EQ(mail.delivered(), 2u);
  EXPECT_EQ(mail.failed(), 3u);
  // Only the passed-through sends reached the disk.
  EXPECT_FALSE(std::filesystem::exists((*files)->PathFor("mail_1")));
  EXPECT_TRUE(std::filesystem::exists((*files)->PathFor("mail_3")));
  EXPECT_FALSE(std::filesystem::exists((*files)->PathFor("mail_4")));
  EXPECT_TRUE(std::filesystem::exists((*files)->PathFor("mail_5")));

  mail.FailAll(Status::Unavailable("disk gone"));
  EXPECT_EQ(mail.Send(Message(6)).code(), Status::Code::kUnavailable);
  mail.FailAll(Status::Ok());
  EXPECT_TRUE(mail.Send(Message(7)).ok());
  EXPECT_EQ(mail.calls(), 7u);
}

}  // namespace
}  // namespace lethe
