#include "domain/outbox.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/mail/file_mailer.h"
#include "testing/domain_fixture.h"
#include "testing/faulty_mailer.h"

namespace lethe {
namespace {

class OutboxTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    auto files = FileMailer::Open(dir_.File("mail"), clock_);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    files_ = std::move(*files);
    mailer_ = std::make_unique<FaultyMailer>(*files_);
    JobQueueOptions o;
    o.first_backoff = std::chrono::seconds(2);
    jobs_ = std::make_unique<JobQueue>(*metadata_, clock_, random_, o);
    outbox_ = std::make_unique<Outbox>(*metadata_, *jobs_, *mailer_, clock_, random_,
                                       "noreply@lethe.test");
  }
  // Queues one message in a transaction that ends with `outcome`.
  std::string Queue(Status outcome = Status::Ok()) {
    std::string id;
    Status st = metadata_->Transact([&](MetadataTx& tx) -> Status {
      LETHE_ASSIGN_OR_RETURN(id, outbox_->Send(tx, "ada@example.com", "New API key",
                                               "A key was created for account acc_1."));
      return outcome;
    });
    EXPECT_EQ(st.code(), outcome.code());
    return id;
  }
  std::string Eml(const std::string& id) {
    std::ifstream in(dir_.File("mail") + "/" + id + ".eml");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::unique_ptr<FileMailer> files_;
  std::unique_ptr<FaultyMailer> mailer_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_F(OutboxTest, AMessageLeavesOnlyWhenItsChangeCommits) {
  std::string dropped = Queue(Status::Internal("the change failed"));
  EXPECT_EQ(metadata_->FindOutboxMessage(dropped).status().code(), Status::Code::kNotFound);
  std::string id = Queue();
  EXPECT_EQ(*jobs_->RunDue(), 1);
  EXPECT_EQ(mailer_->calls(), 1u);
  std::string eml = Eml(id);
  EXPECT_NE(eml.find("To: ada@example.com"), std::string::npos) << eml;
  EXPECT_NE(eml.find("Subject: New API key"), std::string::npos) << eml;
  auto stored = metadata_->FindOutboxMessage(id);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->sent_ms.has_value());
  EXPECT_EQ(stored->body, "");  // no copy of the content stays behind
  clock_.Advance(3600 * 1000);
  EXPECT_EQ(*jobs_->RunDue(), 0);
  EXPECT_EQ(mailer_->calls(), 1u);
}

TEST_F(OutboxTest, ARelayThatIsDownIsRetriedWithBackoff) {
  mailer_->FailFirst(2, Status::Unavailable("relay down"));
  std::string id = Queue();
  EXPECT_EQ(*jobs_->RunDue(), 1);
  EXPECT_EQ(*jobs_->RunDue(), 0);  // waiting out the backoff
  clock_.Advance(2000);
  EXPECT_EQ(*jobs_->RunDue(), 1);
  EXPECT_EQ(Eml(id), "");
  clock_.Advance(4000);
  EXPECT_EQ(*jobs_->RunDue(), 1);
  EXPECT_EQ(mailer_->calls(), 3u);
  EXPECT_NE(Eml(id).find("Subject: New API key"), std::string::npos);
  EXPECT_TRUE(metadata_->FindOutboxMessage(id)->sent_ms.has_value());
}

TEST_F(OutboxTest, ARefusedMessageIsNotRetried) {
  mailer_->FailFirst(1, Status::FailedPrecondition("smtp-rejected", "550"));
  std::string id = Queue();
  EXPECT_EQ(*jobs_->RunDue(), 1);
  clock_.Advance(24 * 3600 * 1000LL);
  EXPECT_EQ(*jobs_->RunDue(), 0);
  EXPECT_EQ(mailer_->calls(), 1u);
  EXPECT_FALSE(metadata_->FindOutboxMessage(id)->sent_ms.has_value());
}

}  // namespace
}  // namespace lethe
