// SqlMetadataStore: MetadataStore over any SqlDatabase. Transactions run
// on the database's writer (SqlDatabase::Write); the store's own lookups run
// on its read connections (SqlDatabase::Read), beside the writer. The SQL
// itself lives in SqlMetadataTx.
#pragma once

#include <memory>

#include "adapters/sql/sql_database.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"

namespace lethe {

class SqlMetadataStore final : public MetadataStore {
 public:
  // Takes ownership of `db` and brings its schema up to date.
  // Returns Internal when a migration fails.
  static Result<std::unique_ptr<SqlMetadataStore>> Open(std::unique_ptr<SqlDatabase> db,
                                                        const Clock& clock);

  Status Transact(const std::function<Status(MetadataTx& tx)>& fn,
                  Durability durability = Durability::kPowerLoss) override;

  Result<CustomerRecord> FindCustomer(const std::string& id) override;
  Result<CustomerRecord> FindCustomerByEmail(const std::string& email) override;
  Result<SessionRecord> FindSession(const std::string& token_digest) override;
  Result<std::vector<SessionRecord>> ListSessions(const std::string& customer_id) override;
  Result<SignInThrottleRecord> FindSignInThrottle(const std::string& key) override;
  Result<std::vector<LoginEvent>> ListLoginEvents(const std::string& customer_id,
                                                  int limit) override;
  Result<AccountRecord> FindAccount(const std::string& customer_id,
                                    const std::string& account_id) override;
  Result<AccountRecord> FindAccountById(const std::string& account_id) override;
  Result<AccountRecord> FindAccountByToken(const std::string& token_digest) override;
  Result<std::vector<AccountRecord>> ListAccounts(const std::string& customer_id) override;
  Result<ApiKeyRecord> FindApiKey(const std::string& key_id) override;
  Result<std::vector<ApiKeyRecord>> ListApiKeys(const std::string& account_id) override;
  Result<std::vector<UsageEvent>> ListUsageEvents(const UsageQuery& q) override;
  Result<std::optional<AuditEvent>> LastAuditEvent() override;
  Result<std::vector<AuditEvent>> ListAuditEvents(const std::string& account_id, int64_t after_seq,
                                                  int limit) override;
  Result<MediaRecord> FindMedia(const std::string& account_id,
                                const std::string& media_id) override;
  Result<std::vector<MediaRecord>> ListMedia(const MediaQuery& q) override;
  Result<std::vector<std::string>> ListBlobIds() override;
  Result<std::vector<BlobIntent>> ListBlobIntents(int limit) override;
  Result<std::vector<std::string>> ListAccountIds() override;
  Result<std::vector<std::string>> ListEndUsers(const std::string& account_id) override;
  Result<std::vector<MediaRecord>> ListExpiredMedia(int64_t now_ms, int limit) override;
  Result<ErasureRecord> FindErasure(const std::string& account_id, const std::string& id) override;
  Result<std::vector<CustomerRecord>> ListClosedCustomers(int64_t closed_before_ms, int below_stage,
                                                          int limit) override;
  Result<int64_t> CountLoginEventsOf(const std::string& customer_id) override;
  Result<PrivacyRequestRecord> FindPrivacyRequest(const std::string& customer_id,
                                                  const std::string& id) override;
  Result<std::vector<PrivacyRequestStep>> ListPrivacyRequestSteps(
      const std::string& request_id) override;
  Result<std::vector<PrivacyRequestRecord>> ListPrivacyRequests(
      const std::string& customer_id, const std::string& due_before) override;
  Result<std::vector<PrivacyRequestRecord>> ListUnremindedRequestsDue(const std::string& due,
                                                                      int limit) override;
  Result<std::vector<PrivacyRequestRecord>> ListPrivacyRequestsReceived(int64_t from_ms,
                                                                        int64_t to_ms) override;
  Result<std::vector<ProcessingLimitRecord>> ListProcessingLimits(
      const std::string& account_id, const std::string& subject) override;
  Result<ProcessingLimitRecord> FindProcessingLimitOf(const std::string& request_id) override;
  Result<std::vector<DisclosureRecord>> ListDisclosures(
      const std::string& account_id, const std::pair<int64_t, std::string>& after,
      int limit) override;
  Result<ExportLinkRecord> FindExportLink(const std::string& token_digest) override;
  Result<std::vector<ErasureRecord>> ListErasures(const ErasureQuery& q) override;
  Result<std::vector<ErasureRecord>> ListHeldErasures(const std::string& account_id) override;
  Result<std::vector<MediaArtifactRecord>> ListMediaArtifacts(const std::string& media_id) override;
  Result<MediaProcessingSettings> FindMediaProcessingSettings(
      const std::string& account_id) override;
  Result<JobRecord> FindJob(const std::string& id) override;
  Result<OutboxRecord> FindOutboxMessage(const std::string& id) override;
  Result<StaffRecord> FindStaff(const std::string& id) override;
  Result<StaffSessionRecord> FindStaffSession(const std::string& token_digest) override;
  Result<AccessGrantRecord> FindAccessGrant(const std::string& id) override;
  Result<std::vector<AccessGrantRecord>> ListAccessGrants(const std::string& staff_id,
                                                          int limit) override;
  Result<std::vector<AccessGrantRecord>> ListActiveAccessGrants(const std::string& staff_id,
                                                                const std::string& account_id,
                                                                int64_t now_ms) override;
  Result<std::vector<AccessLogEntry>> ListAccessLog(const std::string& account_id,
                                                    const std::optional<std::string>& before_id,
                                                    int limit) override;
  Result<HoldRecord> FindHold(const std::string& id) override;
  Result<std::vector<HoldRecord>> ListHolds(const std::string& account_id) override;
  Result<std::optional<HoldRecord>> FindCoveringHold(const std::string& account_id,
                                                     const std::string& end_user_subject,
                                                     const std::string& media_id,
                                                     int64_t now_ms) override;
  Result<std::vector<HoldRecord>> ListLapsedHolds(int64_t now_ms, int limit) override;
  Result<std::vector<ConsentRecord>> ListConsents(const std::string& account_id,
                                                  const std::string& subject) override;
  Result<std::vector<PolicyVersionRecord>> ListPolicyVersions() override;
  Result<UnsubscribeTokenRecord> FindUnsubscribeToken(const std::string& token_digest) override;
  Result<std::vector<CustomerRecord>> ListOpenCustomers(const std::string& after_id,
                                                        int limit) override;
  Result<std::vector<SubprocessorRecord>> ListSubprocessorVersions() override;
  Result<WebhookRecord> FindWebhook(const std::string& account_id, const std::string& id) override;
  Result<std::vector<WebhookRecord>> ListWebhooks(const std::string& account_id) override;
  Result<WebhookDeliveryRecord> FindWebhookDelivery(const std::string& id) override;
  Result<std::vector<WebhookDeliveryRecord>> ListWebhookDeliveries(const std::string& webhook_id,
                                                                   int limit) override;
  Result<std::vector<WebhookAttemptRecord>> ListWebhookAttempts(
      const std::string& delivery_id) override;
  Result<LegalRequestRecord> FindLegalRequest(const std::string& id) override;
  Result<std::vector<LegalRequestRecord>> ListLegalRequests(const std::string& account_id,
                                                            int limit) override;
  Result<std::vector<LegalRequestRecord>> ListLegalRequestNoticesDue(int64_t now_ms,
                                                                     int limit) override;
  Result<std::vector<LegalRequestTally>> CountLegalRequests(int64_t from_ms,
                                                            int64_t to_ms) override;
  Result<IntegrationRecord> FindIntegration(const std::string& account_id,
                                            const std::string& id) override;
  Result<std::vector<IntegrationRecord>> ListIntegrations(const std::string& account_id) override;
  Result<std::vector<UsageTally>> TallyUsage(const std::string& account_id, int64_t since_ms,
                                             int64_t until_ms) override;
  Result<std::vector<std::string>> FindAccountOrigins(const std::string& account_id) override;
  Result<bool> FindAccountScrub(const std::string& account_id) override;
  Result<CaptureNoticeRecord> FindCaptureNotice(const std::string& account_id) override;
  Result<UploadTokenRecord> FindUploadToken(const std::string& digest) override;
  Result<std::vector<UploadTokenRecord>> ListUploadTokens(const std::string& account_id,
                                                          int64_t now_ms, int limit) override;
  Result<UploadRecord> FindUpload(const std::string& account_id, const std::string& id) override;
  Result<UploadRecord> FindUploadByTokenDigest(const std::string& digest) override;
  Result<std::vector<UploadRecord>> ListUploadsExpiredBefore(int64_t before_ms, int limit) override;
  // Abuse decisions: sql_metadata_tx_abuse.cc.
  Result<std::vector<AbuseSignalRecord>> ListAbuseSignals(const std::string& account_id,
                                                          int64_t since_ms) override;
  Result<std::vector<AbuseSignalRecord>> ListDecisionSignals(
      const std::string& decision_id) override;
  Result<AbuseDecisionRecord> FindAbuseDecision(const std::string& account_id,
                                                const std::string& id) override;
  Result<std::vector<AbuseDecisionRecord>> ListAbuseDecisions(
      const std::string& account_id) override;
  Result<std::vector<AbuseDecisionRecord>> ListSuspensions() override;
  Result<AppealRecord> FindAppeal(const std::string& id) override;
  Result<std::vector<AppealRecord>> ListAppeals(const std::string& decision_id) override;
  Result<std::vector<AppealRecord>> ListOpenAppeals(int limit) override;
  Result<int64_t> CountUsageEvents(const std::string& account_id, const std::string& method,
                                   const std::string& route, int64_t since_ms,
                                   int64_t until_ms) override;
  Result<std::optional<IpEndUsers>> TopIpEndUsers(const std::string& account_id,
                                                  int64_t since_ms) override;
  Result<std::vector<std::string>> ListActiveAccounts(int64_t since_ms) override;
  Result<PasskeyRecord> FindPasskeyByCredential(const std::string& credential_id) override;
  Result<std::vector<PasskeyRecord>> ListPasskeys(const std::string& owner_kind,
                                                  const std::string& owner_id) override;
  Result<PasskeyChallengeRecord> FindPasskeyChallenge(const std::string& digest) override;
  Result<TotpFactorRecord> FindTotpFactor(const std::string& customer_id) override;
  Result<std::vector<RecoveryCodeRecord>> ListRecoveryCodes(
      const std::string& customer_id) override;
  Result<SignInChallengeRecord> FindSignInChallenge(const std::string& token_digest) override;
  Result<SmsFactorRecord> FindSmsFactor(const std::string& customer_id) override;
  Result<SmsCodeRecord> FindSmsCode(const std::string& scope) override;

 private:
  explicit SqlMetadataStore(std::unique_ptr<SqlDatabase> db) : db_(std::move(db)) {}
  // Runs one lookup on a read connection.
  template <typename T, typename F>
  Result<T> Read(F&& lookup);

  std::unique_ptr<SqlDatabase> db_;
};

}  // namespace lethe
