// AbuseFixture: DomainFixture plus the abuse-decision services (ADM-1)
// wired to the same real SQLite store, an outbox writing .eml files, and
// helpers that put usage events in the store as the gate would.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/mail/file_mailer.h"
#include "domain/abuse_signals.h"
#include "domain/appeals.h"
#include "domain/job_queue.h"
#include "domain/outbox.h"
#include "domain/suspensions.h"
#include "testing/domain_fixture.h"
#include "testing/mail_reader.h"

namespace lethe {

class AbuseFixture : public DomainFixture {
 protected:
  static constexpr int64_t kHour = 3'600'000;

  void SetUp() override {
    DomainFixture::SetUp();
    if (HasFatalFailure()) return;
    auto mailer = FileMailer::Open(dir_.File("mail"), clock_);
    ASSERT_TRUE(mailer.ok());
    mailer_ = std::move(*mailer);
    jobs_ = std::make_unique<JobQueue>(*metadata_, clock_, random_);
    outbox_ = std::make_unique<Outbox>(*metadata_, *jobs_, *mailer_, clock_, random_, "n@x.io");
    rules_.upload_floor = 20;
    rules_.end_users_per_ip = 50;  // small numbers keep the tests quick
    Rebuild();
    owner_ = MakeAccount("owner@x.io");
  }

  // (Re)makes the services with rules_.
  void Rebuild() {
    signals_ = std::make_unique<AbuseSignals>(*metadata_, *audit_, clock_, random_, rules_);
    suspensions_ =
        std::make_unique<Suspensions>(*metadata_, *signals_, *audit_, *outbox_, clock_, random_);
    ASSERT_TRUE(suspensions_->Load().ok());
    appeals_ =
        std::make_unique<Appeals>(*metadata_, *suspensions_, *audit_, *outbox_, clock_, random_);
  }

  // `n` usage events of `account`, spread evenly over [from_ms, to_ms).
  void Events(const std::string& account, int n, int64_t from_ms, int64_t to_ms,
              const std::string& route = kUploadRoute, int status = 201,
              const std::string& ip = "10.0.0.1", const std::string& end_user_prefix = "") {
    std::vector<UsageEvent> batch;
    for (int i = 0; i < n; ++i) {
      UsageEvent e;
      e.id = "evt_" + std::to_string(++seq_);
      e.time_ms = from_ms + (to_ms - from_ms) * i / n;
      e.account_id = account;
      e.credential_id = account;
      e.method = kUploadMethod;
      e.route = route;
      e.status = status;
      e.ip = ip;
      if (!end_user_prefix.empty()) e.end_user = end_user_prefix + std::to_string(i);
      batch.push_back(e);
    }
    ASSERT_TRUE(
        metadata_->Transact([&](MetadataTx& tx) { return tx.InsertUsageEvents(batch); }).ok());
  }

  // Every mail delivered so far (runs the outbox's due jobs first).
  std::vector<ReadMail> Mails() {
    EXPECT_TRUE(jobs_->RunDue().ok());
    std::vector<ReadMail> mails;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.File("mail"))) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      auto mail = ReadMailText(text.str());
      EXPECT_TRUE(mail.has_value()) << entry.path();
      if (mail) mails.push_back(std::move(*mail));
    }
    return mails;
  }

  std::vector<std::string> AuditActions(const std::string& account) {
    std::vector<std::string> out;
    auto events = metadata_->ListAuditEvents(account, 0, 1000);
    EXPECT_TRUE(events.ok());
    for (const AuditEvent& e : *events) out.push_back(e.action);
    return out;
  }

  AbuseRules rules_;
  std::unique_ptr<FileMailer> mailer_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<AbuseSignals> signals_;
  std::unique_ptr<Suspensions> suspensions_;
  std::unique_ptr<Appeals> appeals_;
  Principal owner_;
  int seq_ = 0;
};

}  // namespace lethe
