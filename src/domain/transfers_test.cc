// The transfer gate on real SQLite files (SHR-1, SHR-2, SHR-3): a fake
// outbound client records what would leave, and checks at each send that
// the ledger row is already committed. Refused transfers send nothing and
// write nothing.
#include "domain/transfers.h"

#include <gtest/gtest.h>

#include "adapters/mail/file_mailer.h"
#include "domain/job_queue.h"
#include "domain/outbox.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

constexpr int64_t kDay = 86'400'000;

// What a transfer would send; resolves every host to `addresses`.
class RecordingHttp final : public OutboundHttp {
 public:
  RecordingHttp(MetadataStore& store, std::vector<std::string>& sent, std::string account_id)
      : store_(store), sent_(sent), account_id_(std::move(account_id)) {}
  Result<std::vector<std::string>> Resolve(const std::string& host) override {
    if (host == "receiver.example") return std::vector<std::string>{"93.184.216.34"};
    if (host == "inside.example") return std::vector<std::string>{"93.184.216.34", "10.1.2.3"};
    if (host == "127.0.0.1") return std::vector<std::string>{"127.0.0.1"};
    return Status(Status::Code::kNotFound, "unresolvable-host", "no such host");
  }
  Result<OutboundResponse> Post(const OutboundRequest& r) override {
    // The ledger row of a personal-data transfer is committed before this.
    auto rows = store_.ListDisclosures(account_id_, {0, ""}, 100);
    rows_before_send.push_back(rows.ok() ? static_cast<int>(rows->size()) : -1);
    sent_.push_back(r.url + " @" + r.address + " " + r.body);
    return OutboundResponse{200, "ok"};
  }
  std::vector<int> rows_before_send;

 private:
  MetadataStore& store_;
  std::vector<std::string>& sent_;
  std::string account_id_;
};

class TransfersTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    who_ = MakeAccount("t@x.io");
    auto mailer = FileMailer::Open(dir_.File("mail"), clock_);
    ASSERT_TRUE(mailer.ok());
    mailer_ = std::move(*mailer);
    jobs_ = std::make_unique<JobQueue>(*metadata_, clock_, random_);
    outbox_ = std::make_unique<Outbox>(*metadata_, *jobs_, *mailer_, clock_, random_, "l@x.io");
    consents_ = std::make_unique<ConsentLedger>(*metadata_, *audit_, *ids_, clock_, random_);
    gate_ = std::make_unique<ProcessingGate>(*metadata_, *consents_);
    // eu-1 opted in to transcription, the purpose of the sub-processor
    // below: transfers to it are then the gate's to refuse by limit only.
    for (const char* end_user : {"eu-1", "eu-2"}) OptIn(who_.account.id, end_user);
    registry_ = std::make_unique<SubProcessors>(*metadata_, *outbox_, *audit_, clock_, random_);
    ledger_ = std::make_unique<DisclosureLedger>(*audit_, *ids_, clock_, random_);
    auto http = std::make_unique<RecordingHttp>(*metadata_, sent_, who_.account.id);
    http_ = http.get();
    transfers_ =
        std::make_unique<Transfers>(*metadata_, *gate_, *registry_, *ledger_, std::move(http));
  }
  void OptIn(const std::string& account_id, const std::string& end_user) {
    ASSERT_TRUE(consents_
                    ->Record({who_.account.customer_id, account_id, end_user, "transcription",
                              "opt_in", "api"},
                             Actor::Credential("acc_test"), origin_)
                    .ok());
  }
  SubprocessorRecord Register(const std::string& region, const std::string& endpoint) {
    SubprocessorForm form;
    form.name = "Transcriber Ltd";
    form.purpose = "transcription";
    form.region = region;
    form.categories = std::vector<std::string>{"content", "identifiers"};
    form.endpoint = endpoint;
    auto s = registry_->Register(Actor::Staff("stf_admin"), form, origin_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return *s;
  }
  TransferRequest To(const SubprocessorRecord& s, const std::string& end_user = "eu-1") {
    TransferRequest t;
    t.account_id = who_.account.id;
    t.end_user = end_user;
    t.recipient_id = s.id;
    t.purpose = "transcription";
    t.legal_basis = "consent";
    t.categories = {"content"};
    t.what = "med_1 (10 bytes)";
    t.reference = "job_1";
    t.body = "audio";
    return t;
  }
  size_t Rows() { return metadata_->ListDisclosures(who_.account.id, {0, ""}, 100)->size(); }
  void Restrict(const std::string& end_user) {
    ProcessingLimitRecord l{"plm_1", who_.account.id, end_user, "restriction", "prq_1", 1, ""};
    ASSERT_TRUE(
        metadata_->Transact([&](MetadataTx& tx) { return tx.InsertProcessingLimit(l); }).ok());
  }

  Principal who_;
  std::unique_ptr<FileMailer> mailer_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<ConsentLedger> consents_;
  std::unique_ptr<ProcessingGate> gate_;
  std::unique_ptr<SubProcessors> registry_;
  std::unique_ptr<DisclosureLedger> ledger_;
  std::vector<std::string> sent_;
  RecordingHttp* http_ = nullptr;
  std::unique_ptr<Transfers> transfers_;
};

TEST_F(TransfersTest, ASubprocessorInForceReceivesOnlyAfterTheLedgerRowCommits_SHR3) {
  SubprocessorRecord s = Register("us", "https://receiver.example/in");
  clock_.Advance(SubProcessors::kNoticeDays * kDay);
  auto sent = transfers_->Send(To(s), Actor::System("system"), origin_);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0], "https://receiver.example/in @93.184.216.34 audio");
  EXPECT_EQ(http_->rows_before_send, std::vector<int>{1});
  auto rows = metadata_->ListDisclosures(who_.account.id, {0, ""}, 10);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].id, sent->disclosure_id);
  EXPECT_EQ((*rows)[0].recipient, "Transcriber Ltd");
  EXPECT_EQ((*rows)[0].recipient_kind, "subprocessor");
  EXPECT_EQ((*rows)[0].categories, "content");
  EXPECT_NE((*rows)[0].subject, "eu-1");  // keyed, never in clear
  EXPECT_FALSE((*rows)[0].subject.empty());
}

TEST_F(TransfersTest, NothingGoesToASubprocessorBeforeItsEffectiveDate_SHR2) {
  SubprocessorRecord s = Register("us", "https://receiver.example/in");
  clock_.Advance(SubProcessors::kNoticeDays * kDay - 1000);
  auto sent = transfers_->Send(To(s), Actor::System("system"), origin_);
  EXPECT_EQ(sent.status().reason(), "transfer-refused");
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(Rows(), 0u);
  // An unknown recipient, a purpose or a category it is not registered for.
  clock_.Advance(1000);
  TransferRequest unknown = To(s);
  unknown.recipient_id = "sub_nobody";
  EXPECT_EQ(transfers_->Send(unknown, Actor::System("system"), origin_).status().reason(),
            "transfer-refused");
  TransferRequest other_purpose = To(s);
  other_purpose.purpose = "marketing";
  EXPECT_EQ(transfers_->Send(other_purpose, Actor::System("system"), origin_).status().reason(),
            "transfer-refused");
  TransferRequest other_data = To(s);
  other_data.categories = {"contact"};
  EXPECT_EQ(transfers_->Send(other_data, Actor::System("system"), origin_).status().reason(),
            "transfer-refused");
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(Rows(), 0u);
  // Retired: refused from that instant.
  ASSERT_TRUE(transfers_->Send(To(s), Actor::System("system"), origin_).ok());
  ASSERT_TRUE(registry_->Retire(Actor::Staff("stf_admin"), s.id, origin_).ok());
  EXPECT_EQ(transfers_->Send(To(s), Actor::System("system"), origin_).status().reason(),
            "transfer-refused");
  EXPECT_EQ(sent_.size(), 1u);
}

TEST_F(TransfersTest, ARestrictedEndUsersDataIsRefusedAndLeavesNoRow_SHR3) {
  SubprocessorRecord s = Register("us", "https://receiver.example/in");
  clock_.Advance(SubProcessors::kNoticeDays * kDay);
  Restrict("eu-1");
  auto sent = transfers_->Send(To(s, "eu-1"), Actor::System("system"), origin_);
  EXPECT_EQ(sent.status().code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(sent.status().reason(), "processing-restricted");
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(Rows(), 0u);
  EXPECT_TRUE(transfers_->Send(To(s, "eu-2"), Actor::System("system"), origin_).ok());
  EXPECT_EQ(Rows(), 1u);
}

// A sub-processor works for the transfer's purpose: without the end user's
// opt-in to it, nothing goes and no row is written (SHR-7, USE-3).
TEST_F(TransfersTest, ASubprocessorGetsNoDataWithoutConsentToItsPurpose_SHR7) {
  SubprocessorRecord s = Register("us", "https://receiver.example/in");
  clock_.Advance(SubProcessors::kNoticeDays * kDay);
  auto sent = transfers_->Send(To(s, "eu-3"), Actor::System("system"), origin_);
  EXPECT_EQ(sent.status().reason(), "consent-required");
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(Rows(), 0u);
}

// A transfer with no legal basis is refused before anything is looked up,
// sent or written.
TEST_F(TransfersTest, ATransferWithNoLegalBasisIsRefusedAndChangesNothing_SHR1) {
  SubprocessorRecord s = Register("us", "https://receiver.example/in");
  clock_.Advance(SubProcessors::kNoticeDays * kDay);
  for (const char* basis : {"", "because"}) {
    TransferRequest t = To(s);
    t.legal_basis = basis;
    auto sent = transfers_->Send(t, Actor::System("system"), origin_);
    EXPECT_EQ(sent.status().reason(), "no-legal-basis") << basis;
  }
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(Rows(), 0u);
}

TEST_F(TransfersTest, EuDataGoesOnlyToEuSubprocessors_SHR3) {
  auto eu = accounts_->Create(who_.account.customer_id, "eu-app", "eu", origin_);
  ASSERT_TRUE(eu.ok());
  OptIn(eu->account.id, "eu-1");
  SubprocessorRecord global = Register("global", "https://receiver.example/in");
  SubprocessorRecord us = Register("us", "https://receiver.example/in");
  SubprocessorRecord in_eu = Register("eu", "https://receiver.example/in");
  clock_.Advance(SubProcessors::kNoticeDays * kDay);
  for (const auto& s : {global, us}) {
    TransferRequest t = To(s);
    t.account_id = eu->account.id;
    auto sent = transfers_->Send(t, Actor::System("system"), origin_);
    EXPECT_EQ(sent.status().reason(), "region-mismatch") << s.region;
  }
  EXPECT_TRUE(sent_.empty());
  TransferRequest t = To(in_eu);
  t.account_id = eu->account.id;
  EXPECT_TRUE(transfers_->Send(t, Actor::System("system"), origin_).ok());
  // A "us" account may also use a global one.
  EXPECT_TRUE(transfers_->Send(To(global), Actor::System("system"), origin_).ok());
  EXPECT_EQ(sent_.size(), 2u);
  EXPECT_TRUE(RegionAllows("eu", "eu"));
  EXPECT_FALSE(RegionAllows("us", "eu"));
  EXPECT_FALSE(RegionAllows("eu", "us"));
}

// XFR-2: data moves out of its region only when the rule allows it, and
// then with its legal basis and the crossing in the ledger; otherwise it is
// refused and nothing is written.
TEST_F(TransfersTest, DataLeavingItsRegionIsRecordedWithItsBasisOrRefused_XFR2) {
  ASSERT_EQ(who_.account.region, "us");
  SubprocessorRecord global = Register("global", "https://receiver.example/in");
  SubprocessorRecord in_eu = Register("eu", "https://receiver.example/in");
  clock_.Advance(SubProcessors::kNoticeDays * kDay);
  auto refused = transfers_->Send(To(in_eu), Actor::System("system"), origin_);
  EXPECT_EQ(refused.status().reason(), "region-mismatch");
  EXPECT_EQ(Rows(), 0u);
  EXPECT_TRUE(sent_.empty());
  auto sent = transfers_->Send(To(global), Actor::System("system"), origin_);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  auto rows = metadata_->ListDisclosures(who_.account.id, {0, ""}, 10);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].legal_basis, "consent");
  EXPECT_EQ((*rows)[0].what, "med_1 (10 bytes) (leaves region us for global)");
  EXPECT_EQ(http_->rows_before_send, std::vector<int>{1});
}

TEST_F(TransfersTest, AHostResolvingInsideTheNetworkIsRefused_SHR3) {
  SubprocessorRecord s = Register("us", "https://inside.example/in");
  clock_.Advance(SubProcessors::kNoticeDays * kDay);
  auto sent = transfers_->Send(To(s), Actor::System("system"), origin_);
  EXPECT_EQ(sent.status().reason(), "private-address");
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(Rows(), 0u);
  EXPECT_EQ(transfers_->VetEndpoint("https://nowhere.example/").status().reason(),
            "unresolvable-host");
  EXPECT_EQ(transfers_->VetEndpoint("http://receiver.example/").status().reason(),
            "https-required");
  auto loopback = transfers_->VetEndpoint("http://127.0.0.1:9/hook");
  ASSERT_TRUE(loopback.ok()) << loopback.status().ToString();
  EXPECT_EQ(loopback->second, "127.0.0.1");
}

TEST_F(TransfersTest, ADataFreePayloadToTheAccountsOwnWebhookLeavesNoRow_SHR1) {
  WebhookRecord w{"whk_1",
                  who_.account.customer_id,
                  who_.account.id,
                  "http://127.0.0.1:9/h",
                  "media.deleted",
                  "sealed",
                  1};
  ASSERT_TRUE(metadata_->Transact([&](MetadataTx& tx) { return tx.InsertWebhook(w); }).ok());
  TransferRequest t;
  t.account_id = who_.account.id;
  t.kind = RecipientKind::kCustomerEndpoint;
  t.recipient_id = "whk_1";
  t.purpose = "customer_webhook";
  t.legal_basis = "contract";
  t.what = "media.deleted event";
  t.body = "{}";
  ASSERT_TRUE(transfers_->Send(t, Actor::System("system"), origin_).ok());
  EXPECT_EQ(Rows(), 0u);
  // With an end user's reference it is personal data: a row, and the gate.
  t.end_user = "eu-9";
  t.categories = {"identifiers"};
  ASSERT_TRUE(transfers_->Send(t, Actor::System("system"), origin_).ok());
  EXPECT_EQ(Rows(), 1u);
  EXPECT_EQ(metadata_->ListDisclosures(who_.account.id, {0, ""}, 10)->at(0).recipient_kind,
            "customer_endpoint");
  // Another account's webhook is no recipient for this account's data.
  auto other = accounts_->Create(who_.account.customer_id, "other", "us", origin_);
  t.account_id = other->account.id;
  EXPECT_EQ(transfers_->Send(t, Actor::System("system"), origin_).status().reason(),
            "transfer-refused");
  EXPECT_EQ(sent_.size(), 2u);
}

TEST_F(TransfersTest, EveryRegistryChangeIsAnnouncedThirtyDaysAhead_SHR2) {
  SubprocessorForm form;
  form.name = "Transcriber Ltd";
  form.purpose = "transcription";
  form.region = "eu";
  form.categories = std::vector<std::string>{"content"};
  form.effective_ms = clock_.NowMillis() + 29 * kDay;
  EXPECT_EQ(registry_->Register(Actor::Staff("stf_admin"), form, origin_).status().reason(),
            "invalid-field");
  form.effective_ms.reset();
  form.region = "mars";
  EXPECT_EQ(registry_->Register(Actor::Staff("stf_admin"), form, origin_).status().reason(),
            "invalid-field");
  form.region = "eu";
  auto s = registry_->Register(Actor::Staff("stf_admin"), form, origin_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->effective_ms, clock_.NowMillis() + 30 * kDay);
  auto list = registry_->List();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_FALSE((*list)[0].current.has_value());  // announced, not in force
  // One message per open customer, queued with the change.
  auto mailed = metadata_->ListOpenCustomers("", 10);
  ASSERT_EQ(mailed->size(), 1u);
  SubprocessorForm change;
  change.region = "global";
  clock_.Advance(30 * kDay);
  auto changed = registry_->Change(Actor::Staff("stf_admin"), s->id, change, origin_);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->version, 2);
  list = registry_->List();
  ASSERT_TRUE((*list)[0].current.has_value());
  EXPECT_EQ((*list)[0].current->region, "eu");  // the change waits its 30 days
  EXPECT_EQ((*list)[0].upcoming->region, "global");
  EXPECT_EQ(registry_->InForce(*metadata_, s->id)->region, "eu");
  auto ran = jobs_->RunDue();  // the two announcements go out
  ASSERT_TRUE(ran.ok());
  EXPECT_EQ(*ran, 2);
}

}  // namespace
}  // namespace lethe
