// SqlMetadataTx: MetadataTx over one SqlConnection that an SqlDatabase has
// handed out for one transaction. It holds every SQL statement of the
// metadata store, shared by every backend; dialect differences live in
// schema.cc. The SQL is written for both engines: a parameter tested with
// IS NULL is cast first (`CAST($n AS TEXT) IS NULL`), as PostgreSQL must
// know its type before it sees the comparison that would tell it. SqlMetadataStore also uses it,
// read-only, over a read connection for the store's own lookups.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "adapters/sql/sql_connection.h"
#include "ports/metadata_store.h"

namespace lethe {

class SqlMetadataTx final : public MetadataTx {
 public:
  explicit SqlMetadataTx(SqlConnection& conn) : conn_(conn) {}

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
  Status AppendConsent(const ConsentRecord& c) override;
  Status InsertPolicyVersion(const PolicyVersionRecord& v) override;
  Status InsertUnsubscribeToken(const UnsubscribeTokenRecord& t) override;
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

  Status InsertCustomer(const CustomerRecord& c) override;
  Status UpdateCustomer(const CustomerRecord& c) override;
  Status InsertSession(const SessionRecord& s) override;
  Status DeleteSession(const std::string& token_digest) override;
  Status DeleteSessionById(const std::string& customer_id, const std::string& id) override;
  Status TouchSession(const std::string& token_digest, int64_t used_ms) override;
  Status PutSignInThrottle(const SignInThrottleRecord& t) override;
  Status DeleteSignInThrottle(const std::string& key) override;
  Result<int64_t> DeleteSignInThrottlesBefore(int64_t before_ms) override;
  Status InsertAccount(const AccountRecord& a) override;
  Status UpdateAccount(const AccountRecord& a) override;
  Status InsertApiKey(const ApiKeyRecord& k) override;
  Status DeleteApiKey(const std::string& account_id, const std::string& key_id) override;
  Status TouchApiKey(const std::string& key_id, int64_t used_ms, const std::string& ip) override;
  Status InsertLoginEvent(const LoginEvent& e) override;
  Status InsertUsageEvents(const std::vector<UsageEvent>& events) override;
  Status AppendAuditEvent(const AuditEvent& e) override;
  Result<int64_t> InsertMedia(const MediaRecord& m) override;
  Status UpdateMedia(const MediaRecord& m) override;
  Status DeleteMedia(const std::string& account_id, const std::string& media_id) override;
  Status InsertJob(const JobRecord& j) override;
  Status UpsertMediaArtifact(const MediaArtifactRecord& a) override;
  Result<std::vector<MediaArtifactRecord>> ClaimMediaArtifacts(int64_t now_ms,
                                                               int64_t lease_until_ms, int limit,
                                                               const std::string& owner) override;
  Result<int64_t> ReleaseArtifactLeases(const std::string& owner) override;
  Status SetMediaProcessingSettings(const std::string& account_id,
                                    const MediaProcessingSettings& settings) override;
  Result<std::vector<JobRecord>> ClaimJobs(int64_t now_ms, int64_t lease_until_ms, int limit,
                                           const std::string& owner) override;
  Status UpdateJob(const JobRecord& j) override;
  Result<int64_t> ReleaseJobLeases(const std::string& owner) override;
  Status InsertErasure(const ErasureRecord& e) override;
  Status DeleteSessionsOf(const std::string& customer_id) override;
  Result<int64_t> DeleteLoginEventsOf(const std::string& customer_id) override;
  Result<int64_t> DeleteClosedCustomer(const std::string& customer_id) override;
  Status InsertPrivacyRequest(const PrivacyRequestRecord& r) override;
  Status UpdatePrivacyRequest(const PrivacyRequestRecord& r) override;
  Status AppendPrivacyRequestStep(const PrivacyRequestStep& s) override;
  Status InsertProcessingLimit(const ProcessingLimitRecord& l) override;
  Status UpdateProcessingLimit(const ProcessingLimitRecord& l) override;
  Status DeleteProcessingLimit(const std::string& id) override;
  Result<int64_t> ForgetSubjectRecords(const std::string& account_id, const std::string& end_user,
                                       const std::string& replacement) override;
  Status InsertExportLink(const ExportLinkRecord& l) override;
  Status MarkExportLinkUsed(const std::string& token_digest, int64_t used_ms) override;
  Result<int64_t> DeleteExportLinksExpiredBefore(int64_t before_ms) override;
  Status InsertDisclosure(const DisclosureRecord& d) override;
  Result<std::vector<DisclosureRecord>> ListDisclosures(
      const std::string& account_id, const std::pair<int64_t, std::string>& after,
      int limit) override;
  Status SetAccountRetention(const std::string& account_id,
                             std::optional<int64_t> retention_days) override;
  Status UpdateErasure(const ErasureRecord& e) override;
  Status DeidentifyUsageEvent(int64_t seq, const std::string& ip,
                              const std::string& browser_version) override;
  Status InsertOutboxMessage(const OutboxRecord& m) override;
  Status MarkOutboxSent(const std::string& id, int64_t sent_ms) override;
  Status InsertBlobIntent(const std::string& blob_id, int64_t created_ms,
                          const std::string& owner) override;
  Status DeleteBlobIntents(const std::vector<std::string>& blob_ids) override;
  Status InsertStaff(const StaffRecord& s) override;
  Status SetStaffTotpStep(const std::string& staff_id, int64_t step) override;
  Status InsertStaffSession(const StaffSessionRecord& s) override;
  Status RevokeStaffSession(const std::string& token_digest, int64_t at_ms) override;
  Status InsertAccessGrant(const AccessGrantRecord& g) override;
  Status RevokeAccessGrant(const std::string& id, const std::string& by, int64_t at_ms) override;
  Status AppendAccessLog(const AccessLogEntry& e) override;
  Status InsertHold(const HoldRecord& h) override;
  Status UpdateHold(const HoldRecord& h) override;
  Result<std::vector<SubprocessorRecord>> ListSubprocessorVersions() override;
  Result<WebhookRecord> FindWebhook(const std::string& account_id, const std::string& id) override;
  Result<std::vector<WebhookRecord>> ListWebhooks(const std::string& account_id) override;
  Result<WebhookDeliveryRecord> FindWebhookDelivery(const std::string& id) override;
  Result<std::vector<WebhookDeliveryRecord>> ListWebhookDeliveries(const std::string& webhook_id,
                                                                   int limit) override;
  Result<std::vector<WebhookAttemptRecord>> ListWebhookAttempts(
      const std::string& delivery_id) override;
  Status InsertSubprocessorVersion(const SubprocessorRecord& s) override;
  Status InsertWebhook(const WebhookRecord& w) override;
  Status DeleteWebhook(const std::string& account_id, const std::string& id) override;
  Status InsertWebhookDelivery(const WebhookDeliveryRecord& d) override;
  Status UpdateWebhookDelivery(const WebhookDeliveryRecord& d) override;
  Status InsertWebhookAttempt(const WebhookAttemptRecord& a) override;
  Status InsertLegalRequest(const LegalRequestRecord& r) override;
  Status UpdateLegalRequest(const LegalRequestRecord& r) override;
  Status InsertIntegration(const IntegrationRecord& i) override;
  Status DeleteIntegration(const std::string& account_id, const std::string& id) override;
  Result<PasskeyRecord> FindPasskeyByCredential(const std::string& credential_id) override;
  Result<std::vector<PasskeyRecord>> ListPasskeys(const std::string& owner_kind,
                                                  const std::string& owner_id) override;
  Result<PasskeyChallengeRecord> FindPasskeyChallenge(const std::string& digest) override;
  Status InsertPasskey(const PasskeyRecord& p) override;
  Status RecordPasskeyUse(const std::string& credential_id, int64_t sign_count,
                          int64_t used_ms) override;
  Status DeletePasskey(const std::string& owner_kind, const std::string& owner_id,
                       const std::string& id) override;
  Status InsertPasskeyChallenge(const PasskeyChallengeRecord& c) override;
  Status UsePasskeyChallenge(const std::string& digest, int64_t used_ms) override;
  Result<int64_t> DeletePasskeyChallengesBefore(int64_t before_ms) override;
  Result<TotpFactorRecord> FindTotpFactor(const std::string& customer_id) override;
  Result<std::vector<RecoveryCodeRecord>> ListRecoveryCodes(
      const std::string& customer_id) override;
  Result<SignInChallengeRecord> FindSignInChallenge(const std::string& token_digest) override;
  Status PutTotpFactor(const TotpFactorRecord& f) override;
  Status DeleteTwoFactor(const std::string& customer_id) override;
  Status ReplaceRecoveryCodes(const std::string& customer_id,
                              const std::vector<RecoveryCodeRecord>& codes) override;
  Status MarkRecoveryCodeUsed(const std::string& customer_id, const std::string& code_digest,
                              int64_t used_ms) override;
  Status InsertSignInChallenge(const SignInChallengeRecord& c) override;
  Status UpdateSignInChallenge(const SignInChallengeRecord& c) override;
  Result<SmsFactorRecord> FindSmsFactor(const std::string& customer_id) override;
  Result<SmsCodeRecord> FindSmsCode(const std::string& scope) override;
  Status PutSmsFactor(const SmsFactorRecord& f) override;
  Status DeleteSmsFactor(const std::string& customer_id) override;
  Status PutSmsCode(const SmsCodeRecord& c) override;
  Status DeleteSmsCode(const std::string& scope) override;
  Result<int64_t> RevealDisclosures(const std::string& reference) override;
  Result<std::vector<std::string>> FindAccountOrigins(const std::string& account_id) override;
  Result<bool> FindAccountScrub(const std::string& account_id) override;
  Status SetAccountScrub(const std::string& account_id, bool scrub) override;
  Result<CaptureNoticeRecord> FindCaptureNotice(const std::string& account_id) override;
  Status SetCaptureNotice(const std::string& account_id,
                          const CaptureNoticeRecord& notice) override;
  Result<UploadTokenRecord> FindUploadToken(const std::string& digest) override;
  Result<std::vector<UploadTokenRecord>> ListUploadTokens(const std::string& account_id,
                                                          int64_t now_ms, int limit) override;
  Result<UploadRecord> FindUpload(const std::string& account_id, const std::string& id) override;
  Result<UploadRecord> FindUploadByTokenDigest(const std::string& digest) override;
  Result<std::vector<UploadRecord>> ListUploadsExpiredBefore(int64_t before_ms, int limit) override;
  Status InsertUpload(const UploadRecord& u) override;
  Status AdvanceUpload(const std::string& id, int64_t expected_offset, int64_t new_offset,
                       const std::string& parts) override;
  Status CompleteUpload(const std::string& id, int64_t expected_offset,
                        const std::string& media_id) override;
  Status DeleteUpload(const std::string& account_id, const std::string& id) override;
  Result<int64_t> ExpireUploadsOf(const std::string& account_id,
                                  const std::optional<std::string>& end_user) override;
  Status SetAccountOrigins(const std::string& account_id,
                           const std::vector<std::string>& origins) override;
  Status InsertUploadToken(const UploadTokenRecord& t) override;
  Status SpendUploadToken(const std::string& id, int64_t valid_at_ms) override;
  Status DeleteUploadToken(const std::string& account_id, const std::string& id) override;
  Result<int64_t> DeleteUploadTokensBefore(int64_t before_ms) override;
  Result<int64_t> DeleteUploadTokensOf(const std::string& account_id,
                                       const std::optional<std::string>& end_user) override;
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
  Status InsertAbuseSignal(const AbuseSignalRecord& s) override;
  Status AttachAbuseSignals(const std::string& decision_id,
                            const std::vector<std::string>& ids) override;
  Status InsertAbuseDecision(const AbuseDecisionRecord& d) override;
  Status UpdateAbuseDecision(const AbuseDecisionRecord& d) override;
  Status InsertAppeal(const AppealRecord& a) override;
  Status UpdateAppeal(const AppealRecord& a) override;
  void AfterCommit(std::function<void()> fn) override;
  void AfterCommitOnce(const void* key, std::function<void()> fn) override;

  // What the transaction left for after its commit.
  std::vector<std::function<void()>>& after_commit() { return after_commit_; }
  // Whether it deleted or overwrote personal data, so that the database
  // must drop the old copies once it commits (SqlDatabase::Forget).
  bool must_forget() const { return forget_; }

 private:
  Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params);
  // Runs a write that must touch exactly one row; NotFound otherwise.
  Status ExecOne(const std::string& sql, const std::vector<SqlValue>& params);
  // The clause that ends a queue's claim SELECT: on PostgreSQL the rows
  // are locked as they are read and those another claim holds are passed
  // over, so two workers never update the same row and fail to serialize;
  // SQLite runs one writer at a time and has no such clause.
  std::string ClaimLock() const;
  // Makes this transaction the only writer of media_artifacts until it
  // ends (see the definition for why); Unavailable("restart") as
  // LockTableForWrite says.
  Status LockArtifacts();
  Status WriteTags(const MediaRecord& m);
  Status LoadTags(MediaRecord& m);

  SqlConnection& conn_;
  std::vector<std::function<void()>> after_commit_;
  // AfterCommitOnce's keys and where their callbacks are in after_commit_.
  std::vector<std::pair<const void*, size_t>> once_;
  bool forget_ = false;
};

}  // namespace lethe
