// InterposedMetadataStore: a MetadataStore that forwards every call to
// another one, after asking a hook. The hook sees the operation's name
// ("Transact", "Commit", "FindMedia", ...) and may refuse it with a Status,
// which the caller then gets instead. Tests build on it, in the spirit of
// LevelDB's Env: FaultyMetadataStore fails chosen calls, and
// ThreadCheckedMetadataStore (thread_checked_ports.h) fails calls made on a
// network thread.
//
// "Commit" is asked after a transaction's function returned OK and before
// the transaction commits: refusing it rolls the transaction back, as a
// failing COMMIT would. "Synced" is asked after a commit: refusing it is a
// commit that happened but whose sync failed (EIO), so the caller gets an
// error for a change that is in the store.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "ports/metadata_store.h"

namespace lethe {

class InterposedMetadataStore : public MetadataStore {
 public:
  using Hook = std::function<Status(const char* op)>;
  InterposedMetadataStore(MetadataStore& target, Hook hook)
      : target_(target), hook_(std::move(hook)) {}
  // Owns `target` (a server's store, wrapped through PortSeams).
  InterposedMetadataStore(std::unique_ptr<MetadataStore> target, Hook hook)
      : owned_(std::move(target)), target_(*owned_), hook_(std::move(hook)) {}

  Status Transact(const std::function<Status(MetadataTx& tx)>& fn, Durability durability) override {
    LETHE_RETURN_IF_ERROR(hook_("Transact"));
    LETHE_RETURN_IF_ERROR(target_.Transact(
        [&](MetadataTx& tx) -> Status {
          LETHE_RETURN_IF_ERROR(fn(tx));
          return hook_("Commit");
        },
        durability));
    return hook_("Synced");
  }

  Result<CustomerRecord> FindCustomer(const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindCustomer"));
    return target_.FindCustomer(id);
  }
  Result<CustomerRecord> FindCustomerByEmail(const std::string& email) override {
    LETHE_RETURN_IF_ERROR(hook_("FindCustomerByEmail"));
    return target_.FindCustomerByEmail(email);
  }
  Result<SessionRecord> FindSession(const std::string& token_digest) override {
    LETHE_RETURN_IF_ERROR(hook_("FindSession"));
    return target_.FindSession(token_digest);
  }
  Result<std::vector<SessionRecord>> ListSessions(const std::string& customer_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListSessions"));
    return target_.ListSessions(customer_id);
  }
  Result<SignInThrottleRecord> FindSignInThrottle(const std::string& key) override {
    LETHE_RETURN_IF_ERROR(hook_("FindSignInThrottle"));
    return target_.FindSignInThrottle(key);
  }
  Result<std::vector<LoginEvent>> ListLoginEvents(const std::string& customer_id,
                                                  int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListLoginEvents"));
    return target_.ListLoginEvents(customer_id, limit);
  }
  Result<AccountRecord> FindAccount(const std::string& customer_id,
                                    const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindAccount"));
    return target_.FindAccount(customer_id, account_id);
  }
  Result<AccountRecord> FindAccountById(const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindAccountById"));
    return target_.FindAccountById(account_id);
  }
  Result<AccountRecord> FindAccountByToken(const std::string& token_digest) override {
    LETHE_RETURN_IF_ERROR(hook_("FindAccountByToken"));
    return target_.FindAccountByToken(token_digest);
  }
  Result<std::vector<AccountRecord>> ListAccounts(const std::string& customer_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListAccounts"));
    return target_.ListAccounts(customer_id);
  }
  Result<ApiKeyRecord> FindApiKey(const std::string& key_id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindApiKey"));
    return target_.FindApiKey(key_id);
  }
  Result<std::vector<ApiKeyRecord>> ListApiKeys(const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListApiKeys"));
    return target_.ListApiKeys(account_id);
  }
  Result<std::vector<UsageEvent>> ListUsageEvents(const UsageQuery& q) override {
    LETHE_RETURN_IF_ERROR(hook_("ListUsageEvents"));
    return target_.ListUsageEvents(q);
  }
  Result<std::optional<AuditEvent>> LastAuditEvent() override {
    LETHE_RETURN_IF_ERROR(hook_("LastAuditEvent"));
    return target_.LastAuditEvent();
  }
  Result<std::vector<AuditEvent>> ListAuditEvents(const std::string& account_id, int64_t after_seq,
                                                  int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListAuditEvents"));
    return target_.ListAuditEvents(account_id, after_seq, limit);
  }
  Result<MediaRecord> FindMedia(const std::string& account_id,
                                const std::string& media_id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindMedia"));
    return target_.FindMedia(account_id, media_id);
  }
  Result<std::vector<MediaRecord>> ListMedia(const MediaQuery& q) override {
    LETHE_RETURN_IF_ERROR(hook_("ListMedia"));
    return target_.ListMedia(q);
  }
  Result<std::vector<std::string>> ListBlobIds() override {
    LETHE_RETURN_IF_ERROR(hook_("ListBlobIds"));
    return target_.ListBlobIds();
  }
  Result<std::vector<BlobIntent>> ListBlobIntents(int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListBlobIntents"));
    return target_.ListBlobIntents(limit);
  }
  Result<std::vector<std::string>> ListAccountIds() override {
    LETHE_RETURN_IF_ERROR(hook_("ListAccountIds"));
    return target_.ListAccountIds();
  }
  Result<std::vector<std::string>> ListEndUsers(const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListEndUsers"));
    return target_.ListEndUsers(account_id);
  }
  Result<std::vector<MediaRecord>> ListExpiredMedia(int64_t now_ms, int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListExpiredMedia"));
    return target_.ListExpiredMedia(now_ms, limit);
  }
  Result<ErasureRecord> FindErasure(const std::string& account_id, const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindErasure"));
    return target_.FindErasure(account_id, id);
  }
  Result<std::vector<CustomerRecord>> ListClosedCustomers(int64_t closed_before_ms, int below_stage,
                                                          int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListClosedCustomers"));
    return target_.ListClosedCustomers(closed_before_ms, below_stage, limit);
  }
  Result<int64_t> CountLoginEventsOf(const std::string& customer_id) override {
    LETHE_RETURN_IF_ERROR(hook_("CountLoginEventsOf"));
    return target_.CountLoginEventsOf(customer_id);
  }
  Result<PrivacyRequestRecord> FindPrivacyRequest(const std::string& customer_id,
                                                  const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindPrivacyRequest"));
    return target_.FindPrivacyRequest(customer_id, id);
  }
  Result<std::vector<PrivacyRequestStep>> ListPrivacyRequestSteps(
      const std::string& request_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListPrivacyRequestSteps"));
    return target_.ListPrivacyRequestSteps(request_id);
  }
  Result<ExportLinkRecord> FindExportLink(const std::string& token_digest) override {
    LETHE_RETURN_IF_ERROR(hook_("FindExportLink"));
    return target_.FindExportLink(token_digest);
  }
  Result<std::vector<PrivacyRequestRecord>> ListPrivacyRequests(
      const std::string& customer_id, const std::string& due_before) override {
    LETHE_RETURN_IF_ERROR(hook_("ListPrivacyRequests"));
    return target_.ListPrivacyRequests(customer_id, due_before);
  }
  Result<std::vector<PrivacyRequestRecord>> ListUnremindedRequestsDue(const std::string& due,
                                                                      int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListUnremindedRequestsDue"));
    return target_.ListUnremindedRequestsDue(due, limit);
  }
  Result<std::vector<PrivacyRequestRecord>> ListPrivacyRequestsReceived(int64_t from_ms,
                                                                        int64_t to_ms) override {
    LETHE_RETURN_IF_ERROR(hook_("ListPrivacyRequestsReceived"));
    return target_.ListPrivacyRequestsReceived(from_ms, to_ms);
  }
  Result<std::vector<ProcessingLimitRecord>> ListProcessingLimits(
      const std::string& account_id, const std::string& subject) override {
    LETHE_RETURN_IF_ERROR(hook_("ListProcessingLimits"));
    return target_.ListProcessingLimits(account_id, subject);
  }
  Result<std::vector<DisclosureRecord>> ListDisclosures(
      const std::string& account_id, const std::pair<int64_t, std::string>& after,
      int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListDisclosures"));
    return target_.ListDisclosures(account_id, after, limit);
  }
  Result<std::vector<SubprocessorRecord>> ListSubprocessorVersions() override {
    LETHE_RETURN_IF_ERROR(hook_("ListSubprocessorVersions"));
    return target_.ListSubprocessorVersions();
  }
  Result<std::vector<CustomerRecord>> ListOpenCustomers(const std::string& after_id,
                                                        int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListOpenCustomers"));
    return target_.ListOpenCustomers(after_id, limit);
  }
  Result<WebhookRecord> FindWebhook(const std::string& account_id, const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindWebhook"));
    return target_.FindWebhook(account_id, id);
  }
  Result<std::vector<WebhookRecord>> ListWebhooks(const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListWebhooks"));
    return target_.ListWebhooks(account_id);
  }
  Result<WebhookDeliveryRecord> FindWebhookDelivery(const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindWebhookDelivery"));
    return target_.FindWebhookDelivery(id);
  }
  Result<std::vector<WebhookDeliveryRecord>> ListWebhookDeliveries(const std::string& webhook_id,
                                                                   int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListWebhookDeliveries"));
    return target_.ListWebhookDeliveries(webhook_id, limit);
  }
  Result<std::vector<WebhookAttemptRecord>> ListWebhookAttempts(
      const std::string& delivery_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListWebhookAttempts"));
    return target_.ListWebhookAttempts(delivery_id);
  }
  Result<ProcessingLimitRecord> FindProcessingLimitOf(const std::string& request_id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindProcessingLimitOf"));
    return target_.FindProcessingLimitOf(request_id);
  }
  Result<std::vector<ErasureRecord>> ListErasures(const ErasureQuery& q) override {
    LETHE_RETURN_IF_ERROR(hook_("ListErasures"));
    return target_.ListErasures(q);
  }
  Result<std::vector<ErasureRecord>> ListHeldErasures(const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListHeldErasures"));
    return target_.ListHeldErasures(account_id);
  }
  Result<std::vector<MediaArtifactRecord>> ListMediaArtifacts(
      const std::string& media_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListMediaArtifacts"));
    return target_.ListMediaArtifacts(media_id);
  }
  Result<MediaProcessingSettings> FindMediaProcessingSettings(
      const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindMediaProcessingSettings"));
    return target_.FindMediaProcessingSettings(account_id);
  }
  Result<JobRecord> FindJob(const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindJob"));
    return target_.FindJob(id);
  }
  Result<OutboxRecord> FindOutboxMessage(const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindOutboxMessage"));
    return target_.FindOutboxMessage(id);
  }
  Result<StaffRecord> FindStaff(const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindStaff"));
    return target_.FindStaff(id);
  }
  Result<StaffSessionRecord> FindStaffSession(const std::string& token_digest) override {
    LETHE_RETURN_IF_ERROR(hook_("FindStaffSession"));
    return target_.FindStaffSession(token_digest);
  }
  Result<AccessGrantRecord> FindAccessGrant(const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindAccessGrant"));
    return target_.FindAccessGrant(id);
  }
  Result<std::vector<AccessGrantRecord>> ListAccessGrants(const std::string& staff_id,
                                                          int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListAccessGrants"));
    return target_.ListAccessGrants(staff_id, limit);
  }
  Result<std::vector<AccessGrantRecord>> ListActiveAccessGrants(const std::string& staff_id,
                                                                const std::string& account_id,
                                                                int64_t now_ms) override {
    LETHE_RETURN_IF_ERROR(hook_("ListActiveAccessGrants"));
    return target_.ListActiveAccessGrants(staff_id, account_id, now_ms);
  }
  Result<std::vector<AccessLogEntry>> ListAccessLog(const std::string& account_id,
                                                    const std::optional<std::string>& before_id,
                                                    int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListAccessLog"));
    return target_.ListAccessLog(account_id, before_id, limit);
  }
  Result<HoldRecord> FindHold(const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindHold"));
    return target_.FindHold(id);
  }
  Result<std::vector<HoldRecord>> ListHolds(const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListHolds"));
    return target_.ListHolds(account_id);
  }
  Result<std::optional<HoldRecord>> FindCoveringHold(const std::string& account_id,
                                                     const std::string& end_user_subject,
                                                     const std::string& media_id,
                                                     int64_t now_ms) override {
    LETHE_RETURN_IF_ERROR(hook_("FindCoveringHold"));
    return target_.FindCoveringHold(account_id, end_user_subject, media_id, now_ms);
  }
  Result<std::vector<HoldRecord>> ListLapsedHolds(int64_t now_ms, int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListLapsedHolds"));
    return target_.ListLapsedHolds(now_ms, limit);
  }
  Result<LegalRequestRecord> FindLegalRequest(const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindLegalRequest"));
    return target_.FindLegalRequest(id);
  }
  Result<std::vector<LegalRequestRecord>> ListLegalRequests(const std::string& account_id,
                                                            int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListLegalRequests"));
    return target_.ListLegalRequests(account_id, limit);
  }
  Result<std::vector<LegalRequestRecord>> ListLegalRequestNoticesDue(int64_t now_ms,
                                                                     int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListLegalRequestNoticesDue"));
    return target_.ListLegalRequestNoticesDue(now_ms, limit);
  }
  Result<std::vector<LegalRequestTally>> CountLegalRequests(int64_t from_ms,
                                                            int64_t to_ms) override {
    LETHE_RETURN_IF_ERROR(hook_("CountLegalRequests"));
    return target_.CountLegalRequests(from_ms, to_ms);
  }
  Result<IntegrationRecord> FindIntegration(const std::string& account_id,
                                            const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindIntegration"));
    return target_.FindIntegration(account_id, id);
  }
  Result<std::vector<IntegrationRecord>> ListIntegrations(const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListIntegrations"));
    return target_.ListIntegrations(account_id);
  }
  Result<PasskeyRecord> FindPasskeyByCredential(const std::string& credential_id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindPasskeyByCredential"));
    return target_.FindPasskeyByCredential(credential_id);
  }
  Result<std::vector<PasskeyRecord>> ListPasskeys(const std::string& owner_kind,
                                                  const std::string& owner_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListPasskeys"));
    return target_.ListPasskeys(owner_kind, owner_id);
  }
  Result<PasskeyChallengeRecord> FindPasskeyChallenge(const std::string& digest) override {
    LETHE_RETURN_IF_ERROR(hook_("FindPasskeyChallenge"));
    return target_.FindPasskeyChallenge(digest);
  }
  Result<TotpFactorRecord> FindTotpFactor(const std::string& customer_id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindTotpFactor"));
    return target_.FindTotpFactor(customer_id);
  }
  Result<std::vector<RecoveryCodeRecord>> ListRecoveryCodes(
      const std::string& customer_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListRecoveryCodes"));
    return target_.ListRecoveryCodes(customer_id);
  }
  Result<SignInChallengeRecord> FindSignInChallenge(const std::string& token_digest) override {
    LETHE_RETURN_IF_ERROR(hook_("FindSignInChallenge"));
    return target_.FindSignInChallenge(token_digest);
  }
  Result<SmsFactorRecord> FindSmsFactor(const std::string& customer_id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindSmsFactor"));
    return target_.FindSmsFactor(customer_id);
  }
  Result<SmsCodeRecord> FindSmsCode(const std::string& scope) override {
    LETHE_RETURN_IF_ERROR(hook_("FindSmsCode"));
    return target_.FindSmsCode(scope);
  }
  Result<std::vector<UsageTally>> TallyUsage(const std::string& account_id, int64_t since_ms,
                                             int64_t until_ms) override {
    LETHE_RETURN_IF_ERROR(hook_("TallyUsage"));
    return target_.TallyUsage(account_id, since_ms, until_ms);
  }
  Result<std::vector<std::string>> FindAccountOrigins(const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindAccountOrigins"));
    return target_.FindAccountOrigins(account_id);
  }
  Result<bool> FindAccountScrub(const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindAccountScrub"));
    return target_.FindAccountScrub(account_id);
  }
  Result<CaptureNoticeRecord> FindCaptureNotice(const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindCaptureNotice"));
    return target_.FindCaptureNotice(account_id);
  }
  Result<UploadTokenRecord> FindUploadToken(const std::string& digest) override {
    LETHE_RETURN_IF_ERROR(hook_("FindUploadToken"));
    return target_.FindUploadToken(digest);
  }
  Result<std::vector<UploadTokenRecord>> ListUploadTokens(const std::string& account_id,
                                                          int64_t now_ms, int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListUploadTokens"));
    return target_.ListUploadTokens(account_id, now_ms, limit);
  }
  Result<UploadRecord> FindUpload(const std::string& account_id, const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindUpload"));
    return target_.FindUpload(account_id, id);
  }
  Result<UploadRecord> FindUploadByTokenDigest(const std::string& digest) override {
    LETHE_RETURN_IF_ERROR(hook_("FindUploadByTokenDigest"));
    return target_.FindUploadByTokenDigest(digest);
  }
  Result<std::vector<UploadRecord>> ListUploadsExpiredBefore(int64_t before_ms,
                                                             int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListUploadsExpiredBefore"));
    return target_.ListUploadsExpiredBefore(before_ms, limit);
  }

  Result<std::vector<AbuseSignalRecord>> ListAbuseSignals(const std::string& account_id,
                                                          int64_t since_ms) override {
    LETHE_RETURN_IF_ERROR(hook_("ListAbuseSignals"));
    return target_.ListAbuseSignals(account_id, since_ms);
  }
  Result<std::vector<AbuseSignalRecord>> ListDecisionSignals(
      const std::string& decision_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListDecisionSignals"));
    return target_.ListDecisionSignals(decision_id);
  }
  Result<AbuseDecisionRecord> FindAbuseDecision(const std::string& account_id,
                                                const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindAbuseDecision"));
    return target_.FindAbuseDecision(account_id, id);
  }
  Result<std::vector<AbuseDecisionRecord>> ListAbuseDecisions(
      const std::string& account_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListAbuseDecisions"));
    return target_.ListAbuseDecisions(account_id);
  }
  Result<std::vector<AbuseDecisionRecord>> ListSuspensions() override {
    LETHE_RETURN_IF_ERROR(hook_("ListSuspensions"));
    return target_.ListSuspensions();
  }
  Result<AppealRecord> FindAppeal(const std::string& id) override {
    LETHE_RETURN_IF_ERROR(hook_("FindAppeal"));
    return target_.FindAppeal(id);
  }
  Result<std::vector<AppealRecord>> ListAppeals(const std::string& decision_id) override {
    LETHE_RETURN_IF_ERROR(hook_("ListAppeals"));
    return target_.ListAppeals(decision_id);
  }
  Result<std::vector<AppealRecord>> ListOpenAppeals(int limit) override {
    LETHE_RETURN_IF_ERROR(hook_("ListOpenAppeals"));
    return target_.ListOpenAppeals(limit);
  }
  Result<int64_t> CountUsageEvents(const std::string& account_id, const std::string& method,
                                   const std::string& route, int64_t since_ms,
                                   int64_t until_ms) override {
    LETHE_RETURN_IF_ERROR(hook_("CountUsageEvents"));
    return target_.CountUsageEvents(account_id, method, route, since_ms, until_ms);
  }
  Result<std::optional<IpEndUsers>> TopIpEndUsers(const std::string& account_id,
                                                  int64_t since_ms) override {
    LETHE_RETURN_IF_ERROR(hook_("TopIpEndUsers"));
    return target_.TopIpEndUsers(account_id, since_ms);
  }
  Result<std::vector<std::string>> ListActiveAccounts(int64_t since_ms) override {
    LETHE_RETURN_IF_ERROR(hook_("ListActiveAccounts"));
    return target_.ListActiveAccounts(since_ms);
  }

  Result<std::vector<ConsentRecord>> ListConsents(const std::string& account_id,
                                                  const std::string& subject) override {
    LETHE_RETURN_IF_ERROR(hook_("ListConsents"));
    return target_.ListConsents(account_id, subject);
  }
  Result<std::vector<PolicyVersionRecord>> ListPolicyVersions() override {
    LETHE_RETURN_IF_ERROR(hook_("ListPolicyVersions"));
    return target_.ListPolicyVersions();
  }
  Result<UnsubscribeTokenRecord> FindUnsubscribeToken(const std::string& token_digest) override {
    LETHE_RETURN_IF_ERROR(hook_("FindUnsubscribeToken"));
    return target_.FindUnsubscribeToken(token_digest);
  }

 private:
  std::unique_ptr<MetadataStore> owned_;
  MetadataStore& target_;
  Hook hook_;
};

}  // namespace lethe
