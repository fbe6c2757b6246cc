// MetadataStore: where Lethe keeps its records (customers, accounts, keys,
// sessions, events, media metadata). Domain code talks only to these
// interfaces; SQLite is the first backend and PostgreSQL the next
// (src/adapters/sql holds the shared SQL over an SqlDatabase per engine).
//
// Reads come in two forms. MetadataStore's own read methods each see one
// consistent snapshot of committed data and may run beside each other and
// beside a writer. Inside Transact, the MetadataTx handed to the function
// reads the transaction's own writes. Every write goes through a MetadataTx.
//
// Methods return Status::NotFound when a looked-up record is absent,
// AlreadyExists("conflict") when a uniqueness rule is violated (the domain
// names the rule for its callers), InsufficientStorage when the volume is
// full, and Internal on a storage failure. Lookups are scoped by owner where
// the domain has one, so a caller can never fetch another tenant's record by
// id alone. Every method is safe to call from several threads, and every
// method may block on I/O: call them off the network threads.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "ports/abuse_records.h"
#include "ports/records.h"

namespace lethe {

// How much a committed transaction survives.
enum class Durability {
  kPowerLoss,     // state changes: survives power loss once Transact returns
  kProcessCrash,  // telemetry (usage events): survives a crash of the process
};

class MetadataReader {
 public:
  virtual ~MetadataReader() = default;

  virtual Result<CustomerRecord> FindCustomer(const std::string& id) = 0;
  // Case-insensitive.
  virtual Result<CustomerRecord> FindCustomerByEmail(const std::string& email) = 0;
  // Looked up by the digest of the session's token.
  virtual Result<SessionRecord> FindSession(const std::string& token_digest) = 0;
  // Every session of the customer, expired ones too, oldest first.
  virtual Result<std::vector<SessionRecord>> ListSessions(const std::string& customer_id) = 0;
  // The failed sign-ins under `key`; NotFound when there are none.
  virtual Result<SignInThrottleRecord> FindSignInThrottle(const std::string& key) = 0;
  // The customer's login events, newest first, at most `limit`.
  virtual Result<std::vector<LoginEvent>> ListLoginEvents(const std::string& customer_id,
                                                          int limit) = 0;

  virtual Result<AccountRecord> FindAccount(const std::string& customer_id,
                                            const std::string& account_id) = 0;
  virtual Result<AccountRecord> FindAccountById(const std::string& account_id) = 0;
  virtual Result<AccountRecord> FindAccountByToken(const std::string& token_digest) = 0;
  virtual Result<std::vector<AccountRecord>> ListAccounts(const std::string& customer_id) = 0;

  virtual Result<ApiKeyRecord> FindApiKey(const std::string& key_id) = 0;
  virtual Result<std::vector<ApiKeyRecord>> ListApiKeys(const std::string& account_id) = 0;

  virtual Result<std::vector<UsageEvent>> ListUsageEvents(const UsageQuery& q) = 0;

  // The newest audit event, if any.
  virtual Result<std::optional<AuditEvent>> LastAuditEvent() = 0;
  // Events with seq > after_seq, ascending; account_id empty means all.
  virtual Result<std::vector<AuditEvent>> ListAuditEvents(const std::string& account_id,
                                                          int64_t after_seq, int limit) = 0;

  virtual Result<MediaRecord> FindMedia(const std::string& account_id,
                                        const std::string& media_id) = 0;
  virtual Result<std::vector<MediaRecord>> ListMedia(const MediaQuery& q) = 0;
  // Every blob id a media record refers to: startup recovery removes the rest.
  virtual Result<std::vector<std::string>> ListBlobIds() = 0;
  // Up to `limit` blob intents (records.h), by blob id, each with whether a
  // media record names its blob.
  virtual Result<std::vector<BlobIntent>> ListBlobIntents(int limit) = 0;
  // Every account id, any customer: for replaying erasures after a restore.
  virtual Result<std::vector<std::string>> ListAccountIds() = 0;
  // Every distinct non-empty end-user reference the account's media and
  // usage events name, sorted.
  virtual Result<std::vector<std::string>> ListEndUsers(const std::string& account_id) = 0;

  // Media whose retention ran out at or before `now_ms`, any account,
  // soonest expired first, at most `limit`; not those whose erasure waits
  // on a legal hold (a held erasure with their blob_id), so held media
  // never crowd out the rest.
  virtual Result<std::vector<MediaRecord>> ListExpiredMedia(int64_t now_ms, int limit) = 0;

  // An erasure by id; scoped by account unless account_id is empty (the
  // purge job, which has only the id).
  virtual Result<ErasureRecord> FindErasure(const std::string& account_id,
                                            const std::string& id) = 0;
  // Closed customers with closed_ms <= closed_before_ms (any closed_ms for
  // closure_cause "underage") whose closure_stage is below `below_stage`,
  // oldest closure first, at most `limit`.
  virtual Result<std::vector<CustomerRecord>> ListClosedCustomers(int64_t closed_before_ms,
                                                                  int below_stage, int limit) = 0;
  virtual Result<int64_t> CountLoginEventsOf(const std::string& customer_id) = 0;
  // Data-subject requests of `customer_id` (NotFound for another's), and
  // their history, oldest step first. ListPrivacyRequests: the customer's
  // open requests due on or before `due_before` ("" for all), soonest due
  // first.
  virtual Result<PrivacyRequestRecord> FindPrivacyRequest(const std::string& customer_id,
                                                          const std::string& id) = 0;
  virtual Result<std::vector<PrivacyRequestStep>> ListPrivacyRequestSteps(
      const std::string& request_id) = 0;
  virtual Result<std::vector<PrivacyRequestRecord>> ListPrivacyRequests(
      const std::string& customer_id, const std::string& due_before) = 0;
  // Every customer's open requests due on or before `due` that have had no
  // reminder, soonest first, at most `limit` (the reminder job).
  virtual Result<std::vector<PrivacyRequestRecord>> ListUnremindedRequestsDue(
      const std::string& due, int limit) = 0;
  // Every request received in [from_ms, to_ms) (the annual metrics).
  virtual Result<std::vector<PrivacyRequestRecord>> ListPrivacyRequestsReceived(int64_t from_ms,
                                                                                int64_t to_ms) = 0;
  // The processing limits on one subject (account "" for a customer).
  virtual Result<std::vector<ProcessingLimitRecord>> ListProcessingLimits(
      const std::string& account_id, const std::string& subject) = 0;
  // The limit placed by request `request_id`; NotFound if none is in force.
  virtual Result<ProcessingLimitRecord> FindProcessingLimitOf(const std::string& request_id) = 0;
  // The disclosure ledger of `account_id`, oldest first, at most `limit`
  // rows from the one after (at_ms, id) = `after` (from the start when
  // after.second is "").
  virtual Result<std::vector<DisclosureRecord>> ListDisclosures(
      const std::string& account_id, const std::pair<int64_t, std::string>& after, int limit) = 0;
  // An export link by the digest of its token, used or not.
  virtual Result<ExportLinkRecord> FindExportLink(const std::string& token_digest) = 0;
  // An account's erasures, newest first, at most q.limit.
  virtual Result<std::vector<ErasureRecord>> ListErasures(const ErasureQuery& q) = 0;
  // Erasures waiting on a legal hold, of one account ("" for all), oldest first.
  virtual Result<std::vector<ErasureRecord>> ListHeldErasures(const std::string& account_id) = 0;

  // Derived artifacts of one media (any account's: the caller has checked
  // the media's own), by kind. Empty when there are none.
  virtual Result<std::vector<MediaArtifactRecord>> ListMediaArtifacts(
      const std::string& media_id) = 0;
  // What the account asked the media workers to make of its audio and
  // video (all false until it asks).
  virtual Result<MediaProcessingSettings> FindMediaProcessingSettings(
      const std::string& account_id) = 0;
  virtual Result<JobRecord> FindJob(const std::string& id) = 0;
  virtual Result<OutboxRecord> FindOutboxMessage(const std::string& id) = 0;

  // Staff (USE-6, USE-4). FindStaff returns disabled staff too (the
  // caller refuses them). FindStaffSession looks up by the token's digest
  // and returns expired and revoked sessions too.
  virtual Result<StaffRecord> FindStaff(const std::string& id) = 0;
  virtual Result<StaffSessionRecord> FindStaffSession(const std::string& token_digest) = 0;

  // Access grants (USE-4). ListAccessGrants: the member's grants, newest
  // first, revoked and expired ones too, at most `limit`.
  // ListActiveAccessGrants: the member's grants on `account_id` neither
  // revoked nor expired at `now_ms` (expires_ms > now_ms), newest first.
  virtual Result<AccessGrantRecord> FindAccessGrant(const std::string& id) = 0;
  virtual Result<std::vector<AccessGrantRecord>> ListAccessGrants(const std::string& staff_id,
                                                                  int limit) = 0;
  virtual Result<std::vector<AccessGrantRecord>> ListActiveAccessGrants(
      const std::string& staff_id, const std::string& account_id, int64_t now_ms) = 0;
  // The account's access log, newest first (at_ms, then id, descending),
  // starting after the entry `before_id` when given (empty when that is
  // not an entry of this account's log), at most `limit`.
  virtual Result<std::vector<AccessLogEntry>> ListAccessLog(
      const std::string& account_id, const std::optional<std::string>& before_id, int limit) = 0;

  // Legal holds (USE-6). ListHolds: every hold on the account, released
  // ones too, oldest placed first. FindCoveringHold: a hold on
  // `account_id` not released and not ended at `now_ms` (ends_ms > now_ms
  // or none) whose scope is the account, or is "end_user" with subject
  // `end_user_subject`, or "media" with subject `media_id` (an empty
  // subject matches nothing); the oldest placed if several, nullopt if none.
  // ListLapsedHolds: unreleased holds, any account, whose ends_ms <= now_ms,
  // soonest ended first, at most `limit`.
  virtual Result<HoldRecord> FindHold(const std::string& id) = 0;
  virtual Result<std::vector<HoldRecord>> ListHolds(const std::string& account_id) = 0;
  virtual Result<std::optional<HoldRecord>> FindCoveringHold(const std::string& account_id,
                                                             const std::string& end_user_subject,
                                                             const std::string& media_id,
                                                             int64_t now_ms) = 0;
  virtual Result<std::vector<HoldRecord>> ListLapsedHolds(int64_t now_ms, int limit) = 0;

  // Consent ledger (SHR-7). ListConsents: every entry of one subject
  // (account "" for a customer), oldest first.
  virtual Result<std::vector<ConsentRecord>> ListConsents(const std::string& account_id,
                                                          const std::string& subject) = 0;
  // Policy versions (SEC-6), every one, by version ascending.
  virtual Result<std::vector<PolicyVersionRecord>> ListPolicyVersions() = 0;
  // An unsubscribe token by its digest.
  virtual Result<UnsubscribeTokenRecord> FindUnsubscribeToken(const std::string& token_digest) = 0;
  // Customers that are not closed, by id, with id > after_id, at most
  // `limit` (mail to every customer: policy notices, marketing).
  virtual Result<std::vector<CustomerRecord>> ListOpenCustomers(const std::string& after_id,
                                                                int limit) = 0;
  // Sub-processor registry (SHR-2, SHR-3): every version of every entry,
  // by id then version.
  virtual Result<std::vector<SubprocessorRecord>> ListSubprocessorVersions() = 0;
  // Webhooks of an account (NotFound for another account's id), oldest
  // first; deliveries of a webhook, newest first, at most `limit`; the
  // attempts of a delivery, in order.
  virtual Result<WebhookRecord> FindWebhook(const std::string& account_id,
                                            const std::string& id) = 0;
  virtual Result<std::vector<WebhookRecord>> ListWebhooks(const std::string& account_id) = 0;
  virtual Result<WebhookDeliveryRecord> FindWebhookDelivery(const std::string& id) = 0;
  virtual Result<std::vector<WebhookDeliveryRecord>> ListWebhookDeliveries(
      const std::string& webhook_id, int limit) = 0;
  virtual Result<std::vector<WebhookAttemptRecord>> ListWebhookAttempts(
      const std::string& delivery_id) = 0;
  // Legal requests (SHR-4). ListLegalRequests: the requests on
  // `account_id` ("" for every account), newest received first, at most
  // `limit`. ListLegalRequestNoticesDue: requests whose customer has not
  // been told and whose non-disclosure order (if any) ended at or before
  // `now_ms`, soonest ended first, at most `limit`. CountLegalRequests: the
  // requests received in [from_ms, to_ms), counted by authority type and
  // decision, sorted by both.
  virtual Result<LegalRequestRecord> FindLegalRequest(const std::string& id) = 0;
  virtual Result<std::vector<LegalRequestRecord>> ListLegalRequests(const std::string& account_id,
                                                                    int limit) = 0;
  virtual Result<std::vector<LegalRequestRecord>> ListLegalRequestNoticesDue(int64_t now_ms,
                                                                             int limit) = 0;
  virtual Result<std::vector<LegalRequestTally>> CountLegalRequests(int64_t from_ms,
                                                                    int64_t to_ms) = 0;

  // Integrations (SEC-3), scoped by account; ListIntegrations oldest first.
  virtual Result<IntegrationRecord> FindIntegration(const std::string& account_id,
                                                    const std::string& id) = 0;
  virtual Result<std::vector<IntegrationRecord>> ListIntegrations(
      const std::string& account_id) = 0;

  // Two-factor authentication (ACC-4). ListRecoveryCodes: every code of
  // the customer, used ones too. FindSignInChallenge: by the digest of its
  // token, used or expired ones too (the caller refuses them).
  virtual Result<TotpFactorRecord> FindTotpFactor(const std::string& customer_id) = 0;
  virtual Result<std::vector<RecoveryCodeRecord>> ListRecoveryCodes(
      const std::string& customer_id) = 0;
  virtual Result<SignInChallengeRecord> FindSignInChallenge(const std::string& token_digest) = 0;
  // Passkeys (issue 15). FindPasskeyByCredential: by the credential id
  // (base64url), any owner. ListPasskeys: the owner's, oldest first.
  // FindPasskeyChallenge: by the challenge's digest, used and expired ones
  // too (the caller refuses them).
  virtual Result<PasskeyRecord> FindPasskeyByCredential(const std::string& credential_id) = 0;
  virtual Result<std::vector<PasskeyRecord>> ListPasskeys(const std::string& owner_kind,
                                                          const std::string& owner_id) = 0;
  virtual Result<PasskeyChallengeRecord> FindPasskeyChallenge(const std::string& digest) = 0;
  // SMS as a second factor (ACC-4): the customer's phone, and the code
  // last sent under `scope` (SmsCodeRecord); NotFound when absent.
  virtual Result<SmsFactorRecord> FindSmsFactor(const std::string& customer_id) = 0;
  virtual Result<SmsCodeRecord> FindSmsCode(const std::string& scope) = 0;

  // Aggregates (SHR-6): the account's usage events with time_ms in
  // [since_ms, until_ms), summed per day, country, browser and person
  // (see UsageTally), sorted by those.
  virtual Result<std::vector<UsageTally>> TallyUsage(const std::string& account_id,
                                                     int64_t since_ms, int64_t until_ms) = 0;

  // Browsers (issue 9). FindAccountOrigins: the origins the account lets
  // read its data plane (CORS), in the order set; empty when none are.
  // FindUploadToken: by the digest of its secret, expired ones too (the
  // caller refuses them); a revoked or used-up token is NotFound.
  // ListUploadTokens: the account's tokens with expires_ms > `now_ms`
  // (revoked and used-up ones are gone), newest first, at most `limit`.
  virtual Result<std::vector<std::string>> FindAccountOrigins(const std::string& account_id) = 0;
  virtual Result<UploadTokenRecord> FindUploadToken(const std::string& digest) = 0;
  virtual Result<std::vector<UploadTokenRecord>> ListUploadTokens(const std::string& account_id,
                                                                  int64_t now_ms, int limit) = 0;
  // tus uploads (issue 9, v23). FindUpload: NotFound unless the account
  // has it. FindUploadByTokenDigest: one upload the upload token with this
  // digest created (any), NotFound when none. ListUploadsExpiredBefore: up
  // to `limit` uploads whose expires_ms < before_ms.
  virtual Result<UploadRecord> FindUpload(const std::string& account_id, const std::string& id) = 0;
  virtual Result<UploadRecord> FindUploadByTokenDigest(const std::string& digest) = 0;
  virtual Result<std::vector<UploadRecord>> ListUploadsExpiredBefore(int64_t before_ms,
                                                                     int limit) = 0;
  // Media processing (issue 14): whether the account scrubs location and
  // device metadata from uploads. False for an account that never set it
  // (created before schema v24); NotFound for no such account.
  virtual Result<bool> FindAccountScrub(const std::string& account_id) = 0;
  // The recorder's capture notice (issue 15, v30): empty text when the
  // account set none; NotFound for no such account.
  virtual Result<CaptureNoticeRecord> FindCaptureNotice(const std::string& account_id) = 0;
  // Abuse decisions (ADM-1). ListAbuseSignals: the account's signals
  // observed at or after `since_ms`, oldest first; ListDecisionSignals: the
  // signals decision `decision_id` counted, oldest first.
  // FindAbuseDecision is scoped by account (NotFound for another's);
  // ListAbuseDecisions: the account's, newest first; ListSuspensions: every
  // decision in force ("suspended"), any account. ListAppeals: the appeals
  // of one decision, oldest first; ListOpenAppeals: open ones, any account,
  // oldest first, at most `limit`.
  virtual Result<std::vector<AbuseSignalRecord>> ListAbuseSignals(const std::string& account_id,
                                                                  int64_t since_ms) = 0;
  virtual Result<std::vector<AbuseSignalRecord>> ListDecisionSignals(
      const std::string& decision_id) = 0;
  virtual Result<AbuseDecisionRecord> FindAbuseDecision(const std::string& account_id,
                                                        const std::string& id) = 0;
  virtual Result<std::vector<AbuseDecisionRecord>> ListAbuseDecisions(
      const std::string& account_id) = 0;
  virtual Result<std::vector<AbuseDecisionRecord>> ListSuspensions() = 0;
  virtual Result<AppealRecord> FindAppeal(const std::string& id) = 0;
  virtual Result<std::vector<AppealRecord>> ListAppeals(const std::string& decision_id) = 0;
  virtual Result<std::vector<AppealRecord>> ListOpenAppeals(int limit) = 0;
  // Activity the abuse signals measure, from the usage events.
  // CountUsageEvents: the account's events of `method` `route` with a 2xx
  // status and time_ms in [since_ms, until_ms). TopIpEndUsers: the IP that
  // named the most distinct non-empty end users of the account at or after
  // `since_ms` (ties: the smallest IP); nullopt when none named any.
  // ListActiveAccounts: every account with an event at or after `since_ms`,
  // sorted.
  virtual Result<int64_t> CountUsageEvents(const std::string& account_id, const std::string& method,
                                           const std::string& route, int64_t since_ms,
                                           int64_t until_ms) = 0;
  virtual Result<std::optional<IpEndUsers>> TopIpEndUsers(const std::string& account_id,
                                                          int64_t since_ms) = 0;
  virtual Result<std::vector<std::string>> ListActiveAccounts(int64_t since_ms) = 0;
};

// One transaction in progress. Valid only inside the Transact call that
// handed it out; its writes land together when that call commits.
class MetadataTx : public MetadataReader {
 public:
  // Customers. A taken email (case-insensitive) is AlreadyExists.
  virtual Status InsertCustomer(const CustomerRecord& c) = 0;
  virtual Status UpdateCustomer(const CustomerRecord& c) = 0;

  virtual Status InsertSession(const SessionRecord& s) = 0;
  virtual Status DeleteSession(const std::string& token_digest) = 0;
  // Deletes the customer's session with public id `id`; NotFound when the
  // customer has none such (another customer's id included).
  virtual Status DeleteSessionById(const std::string& customer_id, const std::string& id) = 0;
  // Sets last_used_ms; NotFound if the session is gone.
  virtual Status TouchSession(const std::string& token_digest, int64_t used_ms) = 0;
  // Sign-in limiter state: inserts or replaces the row of t.key; deleting
  // an absent key is OK. DeleteSignInThrottlesBefore removes every row
  // whose last failure is before `before_ms` and returns how many.
  virtual Status PutSignInThrottle(const SignInThrottleRecord& t) = 0;
  virtual Status DeleteSignInThrottle(const std::string& key) = 0;
  virtual Result<int64_t> DeleteSignInThrottlesBefore(int64_t before_ms) = 0;

  virtual Status InsertAccount(const AccountRecord& a) = 0;
  virtual Status UpdateAccount(const AccountRecord& a) = 0;

  // Deleting a key is final: it stops authenticating once committed.
  virtual Status InsertApiKey(const ApiKeyRecord& k) = 0;
  virtual Status DeleteApiKey(const std::string& account_id, const std::string& key_id) = 0;
  // Records the time and IP address of the key's last use.
  virtual Status TouchApiKey(const std::string& key_id, int64_t used_ms, const std::string& ip) = 0;

  virtual Status InsertLoginEvent(const LoginEvent& e) = 0;
  virtual Status InsertUsageEvents(const std::vector<UsageEvent>& events) = 0;

  // Stores `e` with the seq the caller chose (LastAuditEvent()->seq + 1, read
  // in this transaction); a taken seq is AlreadyExists.
  virtual Status AppendAuditEvent(const AuditEvent& e) = 0;

  // Media metadata. InsertMedia returns the assigned `seq`.
  virtual Result<int64_t> InsertMedia(const MediaRecord& m) = 0;
  virtual Status UpdateMedia(const MediaRecord& m) = 0;
  virtual Status DeleteMedia(const std::string& account_id, const std::string& media_id) = 0;

  // Derived artifacts. UpsertMediaArtifact inserts or overwrites the row
  // of (media_id, kind). ClaimMediaArtifacts leases up to `limit` pending
  // artifacts due at `now_ms` (not leased, or leased until before now) to
  // the instance `owner` until `lease_until_ms`, counts the attempt and
  // returns them, oldest due first. ReleaseArtifactLeases clears the leases
  // `owner` holds on pending artifacts, or every lease when `owner` is ""
  // (see ReleaseJobLeases), and returns how many it freed. DeleteMedia
  // removes the media's artifact rows with it.
  virtual Status UpsertMediaArtifact(const MediaArtifactRecord& a) = 0;
  virtual Result<std::vector<MediaArtifactRecord>> ClaimMediaArtifacts(
      int64_t now_ms, int64_t lease_until_ms, int limit, const std::string& owner) = 0;
  virtual Result<int64_t> ReleaseArtifactLeases(const std::string& owner) = 0;
  virtual Status SetMediaProcessingSettings(const std::string& account_id,
                                            const MediaProcessingSettings& settings) = 0;

  // Jobs. ClaimJobs leases up to `limit` pending jobs due at `now_ms` (and
  // not leased, or leased until before now) to the instance `owner` until
  // `lease_until_ms`, counts the attempt, and returns them, oldest due
  // first. UpdateJob writes back state, attempts, run_after, lease (with
  // its owner) and last_error; NotFound if absent.
  virtual Status InsertJob(const JobRecord& j) = 0;
  virtual Result<std::vector<JobRecord>> ClaimJobs(int64_t now_ms, int64_t lease_until_ms,
                                                   int limit, const std::string& owner) = 0;
  virtual Status UpdateJob(const JobRecord& j) = 0;
  // Clears the leases that instance `owner` holds on pending jobs, for a
  // server that starts on that instance's locked data directory: they are
  // its dead predecessor's. With `owner` "", clears every lease, for a
  // process that knows it is the store's only worker (SQLite in its
  // exclusive data directory). Returns how many jobs it freed.
  virtual Result<int64_t> ReleaseJobLeases(const std::string& owner) = 0;

  // Erasures. UpdateErasure writes state, counts, times and subject.
  virtual Status InsertErasure(const ErasureRecord& e) = 0;
  virtual Status UpdateErasure(const ErasureRecord& e) = 0;
  // Closure. DeleteClosedCustomer removes a closed customer with its closed
  // accounts (NotFound unless it is closed); both return rows removed.
  virtual Status DeleteSessionsOf(const std::string& customer_id) = 0;
  virtual Result<int64_t> DeleteLoginEventsOf(const std::string& customer_id) = 0;
  virtual Result<int64_t> DeleteClosedCustomer(const std::string& customer_id) = 0;
  // Data-subject requests. UpdatePrivacyRequest writes every field but the
  // id, customer, subject, type, jurisdiction and received/acknowledge
  // dates; AppendPrivacyRequestStep assigns the step's seq.
  virtual Status InsertPrivacyRequest(const PrivacyRequestRecord& r) = 0;
  virtual Status UpdatePrivacyRequest(const PrivacyRequestRecord& r) = 0;
  virtual Status AppendPrivacyRequestStep(const PrivacyRequestStep& s) = 0;
  // Processing limits. UpdateProcessingLimit writes lift_notice.
  virtual Status InsertProcessingLimit(const ProcessingLimitRecord& l) = 0;
  virtual Status UpdateProcessingLimit(const ProcessingLimitRecord& l) = 0;
  virtual Status DeleteProcessingLimit(const std::string& id) = 0;
  // Erasure: the privacy-request records that name end user `end_user` of
  // `account_id` (every end user of it when "") stop naming them: their
  // export links and processing limits go, their requests keep
  // `replacement` (a keyed name) as subject, and their webhook deliveries
  // forget them. Returns the rows changed.
  virtual Result<int64_t> ForgetSubjectRecords(const std::string& account_id,
                                               const std::string& end_user,
                                               const std::string& replacement) = 0;
  // Export links. MarkExportLinkUsed sets used_ms on a link not used yet;
  // NotFound when there is none such (absent, or already used).
  virtual Status InsertExportLink(const ExportLinkRecord& l) = 0;
  virtual Status MarkExportLinkUsed(const std::string& token_digest, int64_t used_ms) = 0;
  // Deletes every export link, used or not, that expired before
  // `before_ms`; returns how many.
  virtual Result<int64_t> DeleteExportLinksExpiredBefore(int64_t before_ms) = 0;
  // Disclosure ledger: rows are only ever added. A taken id is AlreadyExists.
  virtual Status InsertDisclosure(const DisclosureRecord& d) = 0;
  // Shows the withheld rows that answer `reference` to the customer (a
  // non-disclosure order ended). Returns how many it showed.
  virtual Result<int64_t> RevealDisclosures(const std::string& reference) = 0;
  // Sets the account's default retention (none when empty) and moves the
  // expiry of every media of the account that has none of its own to
  // created + retention_days. NotFound for an unknown account.
  virtual Status SetAccountRetention(const std::string& account_id,
                                     std::optional<int64_t> retention_days) = 0;
  // USE-7: strips the end user from one usage event and coarsens what
  // identifies the device: `ip` and `browser_version` replace the stored ones.
  virtual Status DeidentifyUsageEvent(int64_t seq, const std::string& ip,
                                      const std::string& browser_version) = 0;

  // Outbox. MarkOutboxSent records the time and drops the body.
  virtual Status InsertOutboxMessage(const OutboxRecord& m) = 0;
  virtual Status MarkOutboxSent(const std::string& id, int64_t sent_ms) = 0;

  // Blob intents (records.h), made by instance `owner`. Inserting an id
  // already there is OK (the time and owner are kept); deleting ids that
  // are not there is OK.
  virtual Status InsertBlobIntent(const std::string& blob_id, int64_t created_ms,
                                  const std::string& owner) = 0;
  virtual Status DeleteBlobIntents(const std::vector<std::string>& blob_ids) = 0;

  // Staff. A taken id is AlreadyExists. SetStaffTotpStep writes
  // totp_last_step only; NotFound if the member is absent.
  virtual Status InsertStaff(const StaffRecord& s) = 0;
  virtual Status SetStaffTotpStep(const std::string& staff_id, int64_t step) = 0;
  // Staff sessions. A taken digest is AlreadyExists. RevokeStaffSession
  // sets revoked_ms (kept when already set); NotFound if absent.
  virtual Status InsertStaffSession(const StaffSessionRecord& s) = 0;
  virtual Status RevokeStaffSession(const std::string& token_digest, int64_t at_ms) = 0;

  // Access grants and the access log (USE-4). A taken id is AlreadyExists.
  // RevokeAccessGrant sets revoked_ms and revoked_by; NotFound if absent.
  virtual Status InsertAccessGrant(const AccessGrantRecord& g) = 0;
  virtual Status RevokeAccessGrant(const std::string& id, const std::string& by, int64_t at_ms) = 0;
  virtual Status AppendAccessLog(const AccessLogEntry& e) = 0;

  // Legal holds. UpdateHold writes released_by and released_ms only (the
  // rest of a hold never changes); NotFound if absent.
  virtual Status InsertHold(const HoldRecord& h) = 0;
  virtual Status UpdateHold(const HoldRecord& h) = 0;

  // Consent ledger: append-only, there is no update or delete. Appending
  // assigns the entry's seq; a taken id is AlreadyExists.
  virtual Status AppendConsent(const ConsentRecord& c) = 0;
  // A taken version number is AlreadyExists("conflict").
  virtual Status InsertPolicyVersion(const PolicyVersionRecord& v) = 0;
  virtual Status InsertUnsubscribeToken(const UnsubscribeTokenRecord& t) = 0;
  // Sub-processor registry: versions are only added; a taken (id, version)
  // is AlreadyExists.
  virtual Status InsertSubprocessorVersion(const SubprocessorRecord& s) = 0;
  // Webhooks. DeleteWebhook removes the webhook with its deliveries and
  // their attempts (NotFound if the account has no such webhook).
  // UpdateWebhookDelivery writes state, attempts, next_ms and end_user.
  virtual Status InsertWebhook(const WebhookRecord& w) = 0;
  virtual Status DeleteWebhook(const std::string& account_id, const std::string& id) = 0;
  virtual Status InsertWebhookDelivery(const WebhookDeliveryRecord& d) = 0;
  virtual Status UpdateWebhookDelivery(const WebhookDeliveryRecord& d) = 0;
  virtual Status InsertWebhookAttempt(const WebhookAttemptRecord& a) = 0;
  // Legal requests. UpdateLegalRequest writes the order's end, the
  // decision, its note, what was disclosed and when, who decided and when,
  // and notified_ms (the rest never changes); NotFound if absent.
  virtual Status InsertLegalRequest(const LegalRequestRecord& r) = 0;
  virtual Status UpdateLegalRequest(const LegalRequestRecord& r) = 0;

  // Integrations. DeleteIntegration removes the row and leaves no copy of
  // its sealed token in the store's files once committed; NotFound if the
  // account has no such integration.
  virtual Status InsertIntegration(const IntegrationRecord& i) = 0;
  virtual Status DeleteIntegration(const std::string& account_id, const std::string& id) = 0;

  // Two-factor authentication (ACC-4). PutTotpFactor inserts the
  // customer's factor or replaces it whole. DeleteTwoFactor removes the
  // factor, the recovery codes and the open challenges of the customer and
  // leaves no copy of the sealed seed in the store's files once committed
  // (OK when there was none). ReplaceRecoveryCodes drops the customer's
  // codes and stores `codes`. MarkRecoveryCodeUsed sets used_ms on an
  // unused code; NotFound when there is none such. UpdateSignInChallenge
  // writes failures and used_ms; NotFound if absent.
  virtual Status PutTotpFactor(const TotpFactorRecord& f) = 0;
  virtual Status DeleteTwoFactor(const std::string& customer_id) = 0;
  virtual Status ReplaceRecoveryCodes(const std::string& customer_id,
                                      const std::vector<RecoveryCodeRecord>& codes) = 0;
  virtual Status MarkRecoveryCodeUsed(const std::string& customer_id,
                                      const std::string& code_digest, int64_t used_ms) = 0;
  virtual Status InsertSignInChallenge(const SignInChallengeRecord& c) = 0;
  virtual Status UpdateSignInChallenge(const SignInChallengeRecord& c) = 0;
  // Passkeys (issue 15). InsertPasskey: a taken id or credential id is
  // AlreadyExists. RecordPasskeyUse writes sign_count and last_used_ms;
  // NotFound if absent. DeletePasskey: NotFound unless the owner has a
  // passkey `id`. InsertPasskeyChallenge: a taken digest is AlreadyExists.
  // UsePasskeyChallenge sets used_ms on an unused challenge, one
  // conditional write (of two transactions using it, one gets NotFound);
  // NotFound when absent or used. DeletePasskeyChallengesBefore removes
  // those that expired before `before_ms` and returns how many.
  virtual Status InsertPasskey(const PasskeyRecord& p) = 0;
  virtual Status RecordPasskeyUse(const std::string& credential_id, int64_t sign_count,
                                  int64_t used_ms) = 0;
  virtual Status DeletePasskey(const std::string& owner_kind, const std::string& owner_id,
                               const std::string& id) = 0;
  virtual Status InsertPasskeyChallenge(const PasskeyChallengeRecord& c) = 0;
  virtual Status UsePasskeyChallenge(const std::string& digest, int64_t used_ms) = 0;
  virtual Result<int64_t> DeletePasskeyChallengesBefore(int64_t before_ms) = 0;
  // SMS factor (ACC-4). PutSmsFactor inserts the customer's phone or
  // replaces it whole, leaving no copy of the old sealed number once
  // committed. DeleteSmsFactor removes it and every SMS code of the
  // customer, likewise (OK when there was none). PutSmsCode inserts or
  // replaces the code of its scope; DeleteSmsCode removes it (OK when
  // absent).
  virtual Status PutSmsFactor(const SmsFactorRecord& f) = 0;
  virtual Status DeleteSmsFactor(const std::string& customer_id) = 0;
  virtual Status PutSmsCode(const SmsCodeRecord& c) = 0;
  virtual Status DeleteSmsCode(const std::string& scope) = 0;

  // Browsers (issue 9). SetAccountOrigins replaces the account's list (an
  // empty one removes it). SpendUploadToken takes one use of the token with
  // id `id` if it expires after `valid_at_ms` and has a use left, and
  // deletes it with its last use: one conditional write, so of two
  // transactions spending the last use, one gets NotFound.
  // DeleteUploadToken (revocation): NotFound unless the account has such a
  // token. DeleteUploadTokensBefore removes the tokens that expired before
  // `before_ms`; DeleteUploadTokensOf the account's (of one end user when
  // given); both return how many.
  virtual Status SetAccountOrigins(const std::string& account_id,
                                   const std::vector<std::string>& origins) = 0;
  // Media processing (issue 14): sets the account's scrub_metadata.
  // NotFound for no such account.
  virtual Status SetAccountScrub(const std::string& account_id, bool scrub) = 0;
  // Sets (an empty text: removes) the account's capture notice. NotFound
  // for no such account.
  virtual Status SetCaptureNotice(const std::string& account_id,
                                  const CaptureNoticeRecord& notice) = 0;
  virtual Status InsertUploadToken(const UploadTokenRecord& t) = 0;
  virtual Status SpendUploadToken(const std::string& id, int64_t valid_at_ms) = 0;
  virtual Status DeleteUploadToken(const std::string& account_id, const std::string& id) = 0;
  virtual Result<int64_t> DeleteUploadTokensBefore(int64_t before_ms) = 0;
  virtual Result<int64_t> DeleteUploadTokensOf(const std::string& account_id,
                                               const std::optional<std::string>& end_user) = 0;
  // tus uploads (issue 9, v23). A taken id is AlreadyExists.
  // AdvanceUpload sets offset and parts where the offset is still
  // `expected_offset` and it is not complete: NotFound otherwise (another
  // request moved it, or it is gone). CompleteUpload likewise sets the
  // offset to its length, the media id, and clears parts. DeleteUpload:
  // NotFound unless the account has it. ExpireUploadsOf (erasure) makes the
  // account's uploads, finished or not, (of one end user when given) expired now
  // and no longer naming their end user, so that Find answers 404 at once
  // and the purge job removes them and their parts; returns how many.
  virtual Status InsertUpload(const UploadRecord& u) = 0;
  virtual Status AdvanceUpload(const std::string& id, int64_t expected_offset, int64_t new_offset,
                               const std::string& parts) = 0;
  virtual Status CompleteUpload(const std::string& id, int64_t expected_offset,
                                const std::string& media_id) = 0;
  virtual Status DeleteUpload(const std::string& account_id, const std::string& id) = 0;
  virtual Result<int64_t> ExpireUploadsOf(const std::string& account_id,
                                          const std::optional<std::string>& end_user) = 0;

  // Abuse decisions (ADM-1). A taken id is AlreadyExists. AttachAbuseSignals
  // names `decision_id` on the signals `ids` of the decision's account.
  // UpdateAbuseDecision writes state, lifted_ms and lifted_by;
  // UpdateAppeal writes state, decided_ms, decided_by and reason; both
  // NotFound if absent.
  virtual Status InsertAbuseSignal(const AbuseSignalRecord& s) = 0;
  virtual Status AttachAbuseSignals(const std::string& decision_id,
                                    const std::vector<std::string>& ids) = 0;
  virtual Status InsertAbuseDecision(const AbuseDecisionRecord& d) = 0;
  virtual Status UpdateAbuseDecision(const AbuseDecisionRecord& d) = 0;
  virtual Status InsertAppeal(const AppealRecord& a) = 0;
  virtual Status UpdateAppeal(const AppealRecord& a) = 0;

  // Runs `fn` once the transaction has committed (and is as durable as it
  // was asked to be), never if it rolls back. Callbacks run in order, on the
  // thread that called Transact, before Transact returns.
  virtual void AfterCommit(std::function<void()> fn) = 0;
  // As AfterCommit, for an effect of which only the newest request counts
  // (the audit anchor's head): a later call with the same `key` in this
  // transaction puts `fn` in the place of the callback queued under it,
  // which then never runs.
  virtual void AfterCommitOnce(const void* key, std::function<void()> fn) = 0;
};

class MetadataStore : public MetadataReader {
 public:
  // Runs `fn` in one transaction: all of its writes land, or none do.
  // Commits when `fn` returns OK and returns once the commit is as durable
  // as `durability` asks; rolls back otherwise and returns fn's Status.
  //
  // Isolation: serializable. The outcome is as if transactions ran one at a
  // time, in commit order, and a transaction reads its own writes. A backend
  // may detect a conflict and run `fn` again from the start, so `fn` must
  // have no effect outside `tx` (use AfterCommit for those). Transactions
  // do not nest: calling Transact inside `fn` is a bug.
  virtual Status Transact(const std::function<Status(MetadataTx& tx)>& fn,
                          Durability durability = Durability::kPowerLoss) = 0;
};

}  // namespace lethe
