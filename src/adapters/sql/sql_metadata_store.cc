#include "adapters/sql/sql_metadata_store.h"

#include <iostream>
#include <optional>

#include "adapters/sql/schema.h"
#include "adapters/sql/sql_metadata_tx.h"

namespace lethe {

Result<std::unique_ptr<SqlMetadataStore>> SqlMetadataStore::Open(std::unique_ptr<SqlDatabase> db,
                                                                 const Clock& clock) {
  LETHE_RETURN_IF_ERROR(ApplyMigrations(*db, MetadataMigrations(db->dialect()), clock.NowMillis()));
  return std::unique_ptr<SqlMetadataStore>(new SqlMetadataStore(std::move(db)));
}

Status SqlMetadataStore::Transact(const std::function<Status(MetadataTx& tx)>& fn,
                                  Durability durability) {
  std::vector<std::function<void()>> callbacks;
  bool forget = false;
  LETHE_RETURN_IF_ERROR(db_->Write(durability, [&](SqlConnection& conn) {
    SqlMetadataTx tx(conn);
    Status st = fn(tx);
    // A retried attempt starts clean: only the last attempt's leftovers count.
    callbacks = std::move(tx.after_commit());
    forget = tx.must_forget();
    return st;
  }));
  if (forget) {
    // The change has committed either way; a failed pass is redone by the next.
    Status forgot = db_->Forget();
    if (!forgot.ok()) std::cerr << "lethe: " << forgot.ToString() << "\n";
  }
  for (auto& callback : callbacks) callback();
  return Status::Ok();
}

template <typename T, typename F>
Result<T> SqlMetadataStore::Read(F&& lookup) {
  std::optional<Result<T>> out;
  Status st = db_->Read([&](SqlConnection& conn) {
    SqlMetadataTx view(conn);
    out.emplace(lookup(view));
    return StatusOf(*out);
  });
  if (!out) return st;                   // no snapshot could be taken
  if (!st.ok() && out->ok()) return st;  // the snapshot failed to close
  return std::move(*out);
}

Result<CustomerRecord> SqlMetadataStore::FindCustomer(const std::string& id) {
  return Read<CustomerRecord>([&](SqlMetadataTx& r) { return r.FindCustomer(id); });
}
Result<CustomerRecord> SqlMetadataStore::FindCustomerByEmail(const std::string& email) {
  return Read<CustomerRecord>([&](SqlMetadataTx& r) { return r.FindCustomerByEmail(email); });
}
Result<SessionRecord> SqlMetadataStore::FindSession(const std::string& token_digest) {
  return Read<SessionRecord>([&](SqlMetadataTx& r) { return r.FindSession(token_digest); });
}
Result<std::vector<SessionRecord>> SqlMetadataStore::ListSessions(const std::string& customer_id) {
  return Read<std::vector<SessionRecord>>(
      [&](SqlMetadataTx& r) { return r.ListSessions(customer_id); });
}
Result<SignInThrottleRecord> SqlMetadataStore::FindSignInThrottle(const std::string& key) {
  return Read<SignInThrottleRecord>([&](SqlMetadataTx& r) { return r.FindSignInThrottle(key); });
}
Result<std::vector<LoginEvent>> SqlMetadataStore::ListLoginEvents(const std::string& customer_id,
                                                                  int limit) {
  return Read<std::vector<LoginEvent>>(
      [&](SqlMetadataTx& r) { return r.ListLoginEvents(customer_id, limit); });
}
Result<AccountRecord> SqlMetadataStore::FindAccount(const std::string& customer_id,
                                                    const std::string& account_id) {
  return Read<AccountRecord>(
      [&](SqlMetadataTx& r) { return r.FindAccount(customer_id, account_id); });
}
Result<AccountRecord> SqlMetadataStore::FindAccountById(const std::string& account_id) {
  return Read<AccountRecord>([&](SqlMetadataTx& r) { return r.FindAccountById(account_id); });
}
Result<AccountRecord> SqlMetadataStore::FindAccountByToken(const std::string& token_digest) {
  return Read<AccountRecord>([&](SqlMetadataTx& r) { return r.FindAccountByToken(token_digest); });
}
Result<std::vector<AccountRecord>> SqlMetadataStore::ListAccounts(const std::string& customer_id) {
  return Read<std::vector<AccountRecord>>(
      [&](SqlMetadataTx& r) { return r.ListAccounts(customer_id); });
}
Result<ApiKeyRecord> SqlMetadataStore::FindApiKey(const std::string& key_id) {
  return Read<ApiKeyRecord>([&](SqlMetadataTx& r) { return r.FindApiKey(key_id); });
}
Result<std::vector<ApiKeyRecord>> SqlMetadataStore::ListApiKeys(const std::string& account_id) {
  return Read<std::vector<ApiKeyRecord>>(
      [&](SqlMetadataTx& r) { return r.ListApiKeys(account_id); });
}
Result<std::vector<UsageEvent>> SqlMetadataStore::ListUsageEvents(const UsageQuery& q) {
  return Read<std::vector<UsageEvent>>([&](SqlMetadataTx& r) { return r.ListUsageEvents(q); });
}
Result<std::optional<AuditEvent>> SqlMetadataStore::LastAuditEvent() {
  return Read<std::optional<AuditEvent>>([&](SqlMetadataTx& r) { return r.LastAuditEvent(); });
}
Result<std::vector<AuditEvent>> SqlMetadataStore::ListAuditEvents(const std::string& account_id,
                                                                  int64_t after_seq, int limit) {
  return Read<std::vector<AuditEvent>>(
      [&](SqlMetadataTx& r) { return r.ListAuditEvents(account_id, after_seq, limit); });
}
Result<MediaRecord> SqlMetadataStore::FindMedia(const std::string& account_id,
                                                const std::string& media_id) {
  return Read<MediaRecord>([&](SqlMetadataTx& r) { return r.FindMedia(account_id, media_id); });
}
Result<std::vector<MediaRecord>> SqlMetadataStore::ListMedia(const MediaQuery& q) {
  return Read<std::vector<MediaRecord>>([&](SqlMetadataTx& r) { return r.ListMedia(q); });
}
Result<std::vector<BlobIntent>> SqlMetadataStore::ListBlobIntents(int limit) {
  return Read<std::vector<BlobIntent>>([&](SqlMetadataTx& r) { return r.ListBlobIntents(limit); });
}

Result<std::vector<std::string>> SqlMetadataStore::ListBlobIds() {
  return Read<std::vector<std::string>>([&](SqlMetadataTx& r) { return r.ListBlobIds(); });
}
Result<std::vector<std::string>> SqlMetadataStore::ListAccountIds() {
  return Read<std::vector<std::string>>([&](SqlMetadataTx& r) { return r.ListAccountIds(); });
}
Result<std::vector<std::string>> SqlMetadataStore::ListEndUsers(const std::string& account_id) {
  return Read<std::vector<std::string>>(
      [&](SqlMetadataTx& r) { return r.ListEndUsers(account_id); });
}

Result<std::vector<MediaRecord>> SqlMetadataStore::ListExpiredMedia(int64_t now_ms, int limit) {
  return Read<std::vector<MediaRecord>>(
      [&](SqlMetadataTx& r) { return r.ListExpiredMedia(now_ms, limit); });
}
Result<ErasureRecord> SqlMetadataStore::FindErasure(const std::string& account_id,
                                                    const std::string& id) {
  return Read<ErasureRecord>([&](SqlMetadataTx& r) { return r.FindErasure(account_id, id); });
}
Result<std::vector<CustomerRecord>> SqlMetadataStore::ListClosedCustomers(int64_t closed_before_ms,
                                                                          int below_stage,
                                                                          int limit) {
  return Read<std::vector<CustomerRecord>>([&](SqlMetadataTx& r) {
    return r.ListClosedCustomers(closed_before_ms, below_stage, limit);
  });
}
Result<int64_t> SqlMetadataStore::CountLoginEventsOf(const std::string& customer_id) {
  return Read<int64_t>([&](SqlMetadataTx& r) { return r.CountLoginEventsOf(customer_id); });
}
Result<PrivacyRequestRecord> SqlMetadataStore::FindPrivacyRequest(const std::string& customer_id,
                                                                  const std::string& id) {
  return Read<PrivacyRequestRecord>(
      [&](SqlMetadataTx& r) { return r.FindPrivacyRequest(customer_id, id); });
}
Result<std::vector<PrivacyRequestStep>> SqlMetadataStore::ListPrivacyRequestSteps(
    const std::string& request_id) {
  return Read<std::vector<PrivacyRequestStep>>(
      [&](SqlMetadataTx& r) { return r.ListPrivacyRequestSteps(request_id); });
}
Result<ExportLinkRecord> SqlMetadataStore::FindExportLink(const std::string& token_digest) {
  return Read<ExportLinkRecord>([&](SqlMetadataTx& r) { return r.FindExportLink(token_digest); });
}
Result<std::vector<PrivacyRequestRecord>> SqlMetadataStore::ListPrivacyRequests(
    const std::string& customer_id, const std::string& due_before) {
  return Read<std::vector<PrivacyRequestRecord>>(
      [&](SqlMetadataTx& r) { return r.ListPrivacyRequests(customer_id, due_before); });
}
Result<std::vector<PrivacyRequestRecord>> SqlMetadataStore::ListUnremindedRequestsDue(
    const std::string& due, int limit) {
  return Read<std::vector<PrivacyRequestRecord>>(
      [&](SqlMetadataTx& r) { return r.ListUnremindedRequestsDue(due, limit); });
}
Result<std::vector<PrivacyRequestRecord>> SqlMetadataStore::ListPrivacyRequestsReceived(
    int64_t from_ms, int64_t to_ms) {
  return Read<std::vector<PrivacyRequestRecord>>(
      [&](SqlMetadataTx& r) { return r.ListPrivacyRequestsReceived(from_ms, to_ms); });
}
Result<std::vector<ProcessingLimitRecord>> SqlMetadataStore::ListProcessingLimits(
    const std::string& account_id, const std::string& subject) {
  return Read<std::vector<ProcessingLimitRecord>>(
      [&](SqlMetadataTx& r) { return r.ListProcessingLimits(account_id, subject); });
}
Result<std::vector<DisclosureRecord>> SqlMetadataStore::ListDisclosures(
    const std::string& account_id, const std::pair<int64_t, std::string>& after, int limit) {
  return Read<std::vector<DisclosureRecord>>(
      [&](SqlMetadataTx& r) { return r.ListDisclosures(account_id, after, limit); });
}
Result<ProcessingLimitRecord> SqlMetadataStore::FindProcessingLimitOf(
    const std::string& request_id) {
  return Read<ProcessingLimitRecord>(
      [&](SqlMetadataTx& r) { return r.FindProcessingLimitOf(request_id); });
}
Result<std::vector<ErasureRecord>> SqlMetadataStore::ListErasures(const ErasureQuery& q) {
  return Read<std::vector<ErasureRecord>>([&](SqlMetadataTx& r) { return r.ListErasures(q); });
}
Result<std::vector<ErasureRecord>> SqlMetadataStore::ListHeldErasures(
    const std::string& account_id) {
  return Read<std::vector<ErasureRecord>>(
      [&](SqlMetadataTx& r) { return r.ListHeldErasures(account_id); });
}
Result<std::vector<MediaArtifactRecord>> SqlMetadataStore::ListMediaArtifacts(
    const std::string& media_id) {
  return Read<std::vector<MediaArtifactRecord>>(
      [&](SqlMetadataTx& r) { return r.ListMediaArtifacts(media_id); });
}
Result<MediaProcessingSettings> SqlMetadataStore::FindMediaProcessingSettings(
    const std::string& account_id) {
  return Read<MediaProcessingSettings>(
      [&](SqlMetadataTx& r) { return r.FindMediaProcessingSettings(account_id); });
}
Result<JobRecord> SqlMetadataStore::FindJob(const std::string& id) {
  return Read<JobRecord>([&](SqlMetadataTx& r) { return r.FindJob(id); });
}
Result<OutboxRecord> SqlMetadataStore::FindOutboxMessage(const std::string& id) {
  return Read<OutboxRecord>([&](SqlMetadataTx& r) { return r.FindOutboxMessage(id); });
}

Result<StaffRecord> SqlMetadataStore::FindStaff(const std::string& id) {
  return Read<StaffRecord>([&](SqlMetadataTx& r) { return r.FindStaff(id); });
}
Result<StaffSessionRecord> SqlMetadataStore::FindStaffSession(const std::string& token_digest) {
  return Read<StaffSessionRecord>(
      [&](SqlMetadataTx& r) { return r.FindStaffSession(token_digest); });
}
Result<AccessGrantRecord> SqlMetadataStore::FindAccessGrant(const std::string& id) {
  return Read<AccessGrantRecord>([&](SqlMetadataTx& r) { return r.FindAccessGrant(id); });
}
Result<std::vector<AccessGrantRecord>> SqlMetadataStore::ListAccessGrants(
    const std::string& staff_id, int limit) {
  return Read<std::vector<AccessGrantRecord>>(
      [&](SqlMetadataTx& r) { return r.ListAccessGrants(staff_id, limit); });
}
Result<std::vector<AccessGrantRecord>> SqlMetadataStore::ListActiveAccessGrants(
    const std::string& staff_id, const std::string& account_id, int64_t now_ms) {
  return Read<std::vector<AccessGrantRecord>>(
      [&](SqlMetadataTx& r) { return r.ListActiveAccessGrants(staff_id, account_id, now_ms); });
}
Result<std::vector<AccessLogEntry>> SqlMetadataStore::ListAccessLog(
    const std::string& account_id, const std::optional<std::string>& before_id, int limit) {
  return Read<std::vector<AccessLogEntry>>(
      [&](SqlMetadataTx& r) { return r.ListAccessLog(account_id, before_id, limit); });
}
Result<HoldRecord> SqlMetadataStore::FindHold(const std::string& id) {
  return Read<HoldRecord>([&](SqlMetadataTx& r) { return r.FindHold(id); });
}
Result<std::vector<HoldRecord>> SqlMetadataStore::ListHolds(const std::string& account_id) {
  return Read<std::vector<HoldRecord>>([&](SqlMetadataTx& r) { return r.ListHolds(account_id); });
}
Result<std::optional<HoldRecord>> SqlMetadataStore::FindCoveringHold(
    const std::string& account_id, const std::string& end_user_subject, const std::string& media_id,
    int64_t now_ms) {
  return Read<std::optional<HoldRecord>>([&](SqlMetadataTx& r) {
    return r.FindCoveringHold(account_id, end_user_subject, media_id, now_ms);
  });
}
Result<std::vector<HoldRecord>> SqlMetadataStore::ListLapsedHolds(int64_t now_ms, int limit) {
  return Read<std::vector<HoldRecord>>(
      [&](SqlMetadataTx& r) { return r.ListLapsedHolds(now_ms, limit); });
}
Result<LegalRequestRecord> SqlMetadataStore::FindLegalRequest(const std::string& id) {
  return Read<LegalRequestRecord>([&](SqlMetadataTx& r) { return r.FindLegalRequest(id); });
}
Result<std::vector<LegalRequestRecord>> SqlMetadataStore::ListLegalRequests(
    const std::string& account_id, int limit) {
  return Read<std::vector<LegalRequestRecord>>(
      [&](SqlMetadataTx& r) { return r.ListLegalRequests(account_id, limit); });
}
Result<std::vector<LegalRequestRecord>> SqlMetadataStore::ListLegalRequestNoticesDue(int64_t now_ms,
                                                                                     int limit) {
  return Read<std::vector<LegalRequestRecord>>(
      [&](SqlMetadataTx& r) { return r.ListLegalRequestNoticesDue(now_ms, limit); });
}
Result<std::vector<LegalRequestTally>> SqlMetadataStore::CountLegalRequests(int64_t from_ms,
                                                                            int64_t to_ms) {
  return Read<std::vector<LegalRequestTally>>(
      [&](SqlMetadataTx& r) { return r.CountLegalRequests(from_ms, to_ms); });
}
Result<IntegrationRecord> SqlMetadataStore::FindIntegration(const std::string& account_id,
                                                            const std::string& id) {
  return Read<IntegrationRecord>(
      [&](SqlMetadataTx& r) { return r.FindIntegration(account_id, id); });
}
Result<std::vector<IntegrationRecord>> SqlMetadataStore::ListIntegrations(
    const std::string& account_id) {
  return Read<std::vector<IntegrationRecord>>(
      [&](SqlMetadataTx& r) { return r.ListIntegrations(account_id); });
}
Result<PasskeyRecord> SqlMetadataStore::FindPasskeyByCredential(const std::string& credential_id) {
  return Read<PasskeyRecord>(
      [&](SqlMetadataTx& r) { return r.FindPasskeyByCredential(credential_id); });
}
Result<std::vector<PasskeyRecord>> SqlMetadataStore::ListPasskeys(const std::string& owner_kind,
                                                                  const std::string& owner_id) {
  return Read<std::vector<PasskeyRecord>>(
      [&](SqlMetadataTx& r) { return r.ListPasskeys(owner_kind, owner_id); });
}
Result<PasskeyChallengeRecord> SqlMetadataStore::FindPasskeyChallenge(const std::string& digest) {
  return Read<PasskeyChallengeRecord>(
      [&](SqlMetadataTx& r) { return r.FindPasskeyChallenge(digest); });
}
Result<TotpFactorRecord> SqlMetadataStore::FindTotpFactor(const std::string& customer_id) {
  return Read<TotpFactorRecord>([&](SqlMetadataTx& r) { return r.FindTotpFactor(customer_id); });
}
Result<std::vector<RecoveryCodeRecord>> SqlMetadataStore::ListRecoveryCodes(
    const std::string& customer_id) {
  return Read<std::vector<RecoveryCodeRecord>>(
      [&](SqlMetadataTx& r) { return r.ListRecoveryCodes(customer_id); });
}
Result<SignInChallengeRecord> SqlMetadataStore::FindSignInChallenge(
    const std::string& token_digest) {
  return Read<SignInChallengeRecord>(
      [&](SqlMetadataTx& r) { return r.FindSignInChallenge(token_digest); });
}
Result<SmsFactorRecord> SqlMetadataStore::FindSmsFactor(const std::string& customer_id) {
  return Read<SmsFactorRecord>([&](SqlMetadataTx& r) { return r.FindSmsFactor(customer_id); });
}
Result<SmsCodeRecord> SqlMetadataStore::FindSmsCode(const std::string& scope) {
  return Read<SmsCodeRecord>([&](SqlMetadataTx& r) { return r.FindSmsCode(scope); });
}
Result<std::vector<UsageTally>> SqlMetadataStore::TallyUsage(const std::string& account_id,
                                                             int64_t since_ms, int64_t until_ms) {
  return Read<std::vector<UsageTally>>(
      [&](SqlMetadataTx& r) { return r.TallyUsage(account_id, since_ms, until_ms); });
}
Result<std::vector<std::string>> SqlMetadataStore::FindAccountOrigins(
    const std::string& account_id) {
  return Read<std::vector<std::string>>(
      [&](SqlMetadataTx& r) { return r.FindAccountOrigins(account_id); });
}
Result<bool> SqlMetadataStore::FindAccountScrub(const std::string& account_id) {
  return Read<bool>([&](SqlMetadataTx& r) { return r.FindAccountScrub(account_id); });
}

Result<CaptureNoticeRecord> SqlMetadataStore::FindCaptureNotice(const std::string& account_id) {
  return Read<CaptureNoticeRecord>(
      [&](SqlMetadataTx& r) { return r.FindCaptureNotice(account_id); });
}
Result<UploadTokenRecord> SqlMetadataStore::FindUploadToken(const std::string& digest) {
  return Read<UploadTokenRecord>([&](SqlMetadataTx& r) { return r.FindUploadToken(digest); });
}
Result<std::vector<UploadTokenRecord>> SqlMetadataStore::ListUploadTokens(
    const std::string& account_id, int64_t now_ms, int limit) {
  return Read<std::vector<UploadTokenRecord>>(
      [&](SqlMetadataTx& r) { return r.ListUploadTokens(account_id, now_ms, limit); });
}
Result<UploadRecord> SqlMetadataStore::FindUpload(const std::string& account_id,
                                                  const std::string& id) {
  return Read<UploadRecord>([&](SqlMetadataTx& r) { return r.FindUpload(account_id, id); });
}
Result<UploadRecord> SqlMetadataStore::FindUploadByTokenDigest(const std::string& digest) {
  return Read<UploadRecord>([&](SqlMetadataTx& r) { return r.FindUploadByTokenDigest(digest); });
}
Result<std::vector<UploadRecord>> SqlMetadataStore::ListUploadsExpiredBefore(int64_t before_ms,
                                                                             int limit) {
  return Read<std::vector<UploadRecord>>(
      [&](SqlMetadataTx& r) { return r.ListUploadsExpiredBefore(before_ms, limit); });
}

// Abuse decisions (ADM-1).
Result<std::vector<AbuseSignalRecord>> SqlMetadataStore::ListAbuseSignals(
    const std::string& account_id, int64_t since_ms) {
  return Read<std::vector<AbuseSignalRecord>>(
      [&](SqlMetadataTx& r) { return r.ListAbuseSignals(account_id, since_ms); });
}

Result<std::vector<AbuseSignalRecord>> SqlMetadataStore::ListDecisionSignals(
    const std::string& decision_id) {
  return Read<std::vector<AbuseSignalRecord>>(
      [&](SqlMetadataTx& r) { return r.ListDecisionSignals(decision_id); });
}

Result<AbuseDecisionRecord> SqlMetadataStore::FindAbuseDecision(const std::string& account_id,
                                                                const std::string& id) {
  return Read<AbuseDecisionRecord>(
      [&](SqlMetadataTx& r) { return r.FindAbuseDecision(account_id, id); });
}

Result<std::vector<AbuseDecisionRecord>> SqlMetadataStore::ListAbuseDecisions(
    const std::string& account_id) {
  return Read<std::vector<AbuseDecisionRecord>>(
      [&](SqlMetadataTx& r) { return r.ListAbuseDecisions(account_id); });
}

Result<std::vector<AbuseDecisionRecord>> SqlMetadataStore::ListSuspensions() {
  return Read<std::vector<AbuseDecisionRecord>>(
      [&](SqlMetadataTx& r) { return r.ListSuspensions(); });
}

Result<AppealRecord> SqlMetadataStore::FindAppeal(const std::string& id) {
  return Read<AppealRecord>([&](SqlMetadataTx& r) { return r.FindAppeal(id); });
}

Result<std::vector<AppealRecord>> SqlMetadataStore::ListAppeals(const std::string& decision_id) {
  return Read<std::vector<AppealRecord>>(
      [&](SqlMetadataTx& r) { return r.ListAppeals(decision_id); });
}

Result<std::vector<AppealRecord>> SqlMetadataStore::ListOpenAppeals(int limit) {
  return Read<std::vector<AppealRecord>>(
      [&](SqlMetadataTx& r) { return r.ListOpenAppeals(limit); });
}

Result<int64_t> SqlMetadataStore::CountUsageEvents(const std::string& account_id,
                                                   const std::string& method,
                                                   const std::string& route, int64_t since_ms,
                                                   int64_t until_ms) {
  return Read<int64_t>([&](SqlMetadataTx& r) {
    return r.CountUsageEvents(account_id, method, route, since_ms, until_ms);
  });
}

Result<std::optional<IpEndUsers>> SqlMetadataStore::TopIpEndUsers(const std::string& account_id,
                                                                  int64_t since_ms) {
  return Read<std::optional<IpEndUsers>>(
      [&](SqlMetadataTx& r) { return r.TopIpEndUsers(account_id, since_ms); });
}

Result<std::vector<std::string>> SqlMetadataStore::ListActiveAccounts(int64_t since_ms) {
  return Read<std::vector<std::string>>(
      [&](SqlMetadataTx& r) { return r.ListActiveAccounts(since_ms); });
}

Result<std::vector<ConsentRecord>> SqlMetadataStore::ListConsents(const std::string& account_id,
                                                                  const std::string& subject) {
  return Read<std::vector<ConsentRecord>>(
      [&](SqlMetadataTx& r) { return r.ListConsents(account_id, subject); });
}
Result<std::vector<PolicyVersionRecord>> SqlMetadataStore::ListPolicyVersions() {
  return Read<std::vector<PolicyVersionRecord>>(
      [&](SqlMetadataTx& r) { return r.ListPolicyVersions(); });
}
Result<UnsubscribeTokenRecord> SqlMetadataStore::FindUnsubscribeToken(
    const std::string& token_digest) {
  return Read<UnsubscribeTokenRecord>(
      [&](SqlMetadataTx& r) { return r.FindUnsubscribeToken(token_digest); });
}
Result<std::vector<SubprocessorRecord>> SqlMetadataStore::ListSubprocessorVersions() {
  return Read<std::vector<SubprocessorRecord>>(
      [&](SqlMetadataTx& r) { return r.ListSubprocessorVersions(); });
}
Result<std::vector<CustomerRecord>> SqlMetadataStore::ListOpenCustomers(const std::string& after_id,
                                                                        int limit) {
  return Read<std::vector<CustomerRecord>>(
      [&](SqlMetadataTx& r) { return r.ListOpenCustomers(after_id, limit); });
}
Result<WebhookRecord> SqlMetadataStore::FindWebhook(const std::string& account_id,
                                                    const std::string& id) {
  return Read<WebhookRecord>([&](SqlMetadataTx& r) { return r.FindWebhook(account_id, id); });
}
Result<std::vector<WebhookRecord>> SqlMetadataStore::ListWebhooks(const std::string& account_id) {
  return Read<std::vector<WebhookRecord>>(
      [&](SqlMetadataTx& r) { return r.ListWebhooks(account_id); });
}
Result<WebhookDeliveryRecord> SqlMetadataStore::FindWebhookDelivery(const std::string& id) {
  return Read<WebhookDeliveryRecord>([&](SqlMetadataTx& r) { return r.FindWebhookDelivery(id); });
}
Result<std::vector<WebhookDeliveryRecord>> SqlMetadataStore::ListWebhookDeliveries(
    const std::string& webhook_id, int limit) {
  return Read<std::vector<WebhookDeliveryRecord>>(
      [&](SqlMetadataTx& r) { return r.ListWebhookDeliveries(webhook_id, limit); });
}
Result<std::vector<WebhookAttemptRecord>> SqlMetadataStore::ListWebhookAttempts(
    const std::string& delivery_id) {
  return Read<std::vector<WebhookAttemptRecord>>(
      [&](SqlMetadataTx& r) { return r.ListWebhookAttempts(delivery_id); });
}

}  // namespace lethe
