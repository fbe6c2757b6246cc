// Records: the rows the metadata store keeps, in the domain's words.
//
// These are plain values. Secrets never appear here in the clear: passwords
// are argon2id hashes, tokens and key secrets are SHA-256 digests, and
// encryption keys are wrapped by the key above them in the hierarchy.
// Times are milliseconds since the Unix epoch (UTC).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lethe {

struct CustomerRecord {
  std::string id;  // cus_...
  std::string name;
  std::string email;  // as given; uniqueness is on its lower-cased form
  std::string password_hash;
  std::string country;     // ISO 3166 alpha-2, upper case
  std::string birth_date;  // YYYY-MM-DD
  std::optional<std::string> company;
  std::optional<std::string> job_title;
  std::optional<std::string> use_case;
  std::optional<std::string> phone;
  int64_t created_ms = 0;
  std::optional<int64_t> closed_ms;  // ACC-10: the closure clocks start here
  int closure_stage = 0;             // retention classes enforced so far (Closures)
  std::string closure_cause;         // "closure", or "underage" (SEC-4: nothing is kept)
};

// A customer's signed-in session (SEC-2). expires_ms is the absolute end;
// the idle end is last_used_ms plus the configured idle limit.
struct SessionRecord {
  std::string token_digest;
  std::string customer_id;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  std::string id;            // sid_...: names the session in listings; never the token
  int64_t last_used_ms = 0;  // updated at most once a minute
  std::string ip;
  std::string browser;
  std::string country;
};

// Failed sign-ins under one key (a digest of an email address or an IP
// address), for the sign-in limiter's exponential backoff (SEC-2).
struct SignInThrottleRecord {
  std::string key;
  int64_t failures = 0;
  int64_t last_failure_ms = 0;
  int64_t blocked_until_ms = 0;
};

// ACC-4: a customer's TOTP second factor. The seed never rests in the
// clear: it is sealed under the customer's own key (KeyRing::CustomerKey).
struct TotpFactorRecord {
  std::string customer_id;
  std::string sealed_seed;  // base64url(nonce || AES-256-GCM(seed) || tag)
  int64_t created_ms = 0;
  std::optional<int64_t> confirmed_ms;  // none while the enrolment is pending
  int64_t last_step = -1;               // the last TOTP time step accepted: replay guard
};

// Passkeys (issue 15, v29): a WebAuthn credential of a customer or a staff
// member. Only public material is kept: the credential id and public key
// the authenticator made, never a secret.
struct PasskeyRecord {
  std::string id;             // "pky_...", the public id routes name
  std::string owner_kind;     // "customer" or "staff"
  std::string owner_id;       // cus_... or stf_...
  std::string credential_id;  // base64url of the authenticator's id; unique
  int64_t cose_alg = 0;       // COSE: -7 ES256, -8 EdDSA, -257 RS256
  std::string public_key;     // base64url of libfido2's raw key (ES256: x || y)
  int64_t sign_count = 0;     // the authenticator's counter; 0: it keeps none
  std::string name;
  int64_t created_ms = 0;
  std::optional<int64_t> last_used_ms;
};

// One WebAuthn ceremony's challenge, kept as its SHA-256 digest: single
// use (used_ms) and short-lived (expires_ms).
struct PasskeyChallengeRecord {
  std::string challenge_digest;
  std::string purpose;     // "register" or "sign-in"
  std::string owner_kind;  // "customer" or "staff": who registers or signs in
  std::string owner_id;    // the registering owner; "" for a sign-in
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  std::optional<int64_t> used_ms;
};

// One of a customer's single-use recovery codes, kept only as a digest.
struct RecoveryCodeRecord {
  std::string customer_id;
  std::string code_digest;
  std::optional<int64_t> used_ms;
};

// The first step of a two-step sign-in: the password was right, a second
// factor is due. Looked up by the digest of its token.
struct SignInChallengeRecord {
  std::string token_digest;
  std::string customer_id;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  int64_t failures = 0;  // wrong codes so far; the challenge burns at 5
  std::optional<int64_t> used_ms;
};

// ACC-4: a customer's phone for SMS codes. The number never rests in the
// clear: it is sealed under the customer's own key, like the TOTP seed.
struct SmsFactorRecord {
  std::string customer_id;
  std::string sealed_phone;  // base64url(nonce || AES-256-GCM(E.164 number) || tag)
  int64_t created_ms = 0;
  std::optional<int64_t> confirmed_ms;  // none while the enrolment is pending
};

// The SMS code last sent for one purpose, kept only as a keyed digest
// (HMAC under the customer's key: a 6-digit code under a plain hash would
// fall to a million guesses). `scope` names the purpose: "enrol/<customer>",
// "disable/<customer>" or "sign-in/<challenge digest>". A new send replaces
// the code and counts toward the scope's send limit.
struct SmsCodeRecord {
  std::string scope;
  std::string customer_id;
  std::string code_digest;
  int64_t sent_ms = 0;          // the last send
  int64_t expires_ms = 0;       // of the current code
  int64_t window_start_ms = 0;  // the first send counted in `sends`
  int64_t sends = 0;            // sends since window_start_ms
  int64_t failures = 0;         // wrong tries of the current code
};

struct AccountRecord {
  std::string id;  // acc_...
  std::string customer_id;
  std::string name;
  std::string region;  // "us" or "eu", fixed for life (XFR-1)
  std::string token_digest;
  int64_t created_ms = 0;
  // Default retention of the account's media that set none of their own
  // (USE-5); none when unset.
  std::optional<int64_t> retention_days;
  std::optional<int64_t> closed_ms;  // closed accounts take no credential
};

struct ApiKeyRecord {
  std::string id;  // key_...
  std::string account_id;
  std::string secret_digest;
  int64_t created_ms = 0;
  std::optional<int64_t> last_used_ms;
  std::string last_used_ip;  // "" until first used
};

// A portal sign-in (ACC-3).
struct LoginEvent {
  std::string id;
  std::string customer_id;
  int64_t time_ms = 0;
  std::string ip;
  std::string browser;
  std::string browser_version;
  std::string language;
  std::string country;
};

// One data-plane request (USE-1, ACC-2, ACC-3).
struct UsageEvent {
  int64_t seq = 0;  // assigned by the store; orders listings
  std::string id;   // evt_...
  int64_t time_ms = 0;
  std::string account_id;
  std::string credential_id;  // acc_... (account token) or key_...
  std::string end_user;
  std::string ip;
  std::string device_type;
  std::string browser;
  std::string browser_version;
  std::string language;
  std::string country;
  std::string method;
  std::string route;
  int status = 0;
};

struct UsageQuery {
  std::string account_id;
  std::optional<std::string> end_user;
  std::optional<int64_t> since_ms;   // inclusive
  std::optional<int64_t> until_ms;   // exclusive
  std::optional<int64_t> after_seq;  // cursor
  int limit = 100;
};

// One link of the tamper-evident audit chain (SEC-1).
struct AuditEvent {
  int64_t seq = 0;  // assigned by the store, dense from 1
  std::string id;   // aud_...
  int64_t time_ms = 0;
  std::string actor;   // cus_..., acc_..., key_..., stf_..., "lethe:<task>"
  std::string action;  // e.g. "account.create"
  std::string target;
  std::string account_id;  // empty when not about an account
  std::string ip;
  std::string request_id;
  std::string prev_hash;
  std::string hash;
};

// A stored media object (USE-2). The blob holds ciphertext only.
struct MediaRecord {
  int64_t seq = 0;  // assigned by the store; orders listings
  std::string id;   // med_...
  std::string account_id;
  std::string end_user;  // empty: the account itself is the key owner
  std::string kind;      // video, audio, image
  std::string content_type;
  int64_t bytes = 0;
  std::string sha256;
  std::string title;
  std::vector<std::string> tags;
  int64_t created_ms = 0;
  std::optional<int64_t> expires_ms;
  // expires_ms came from the account's retention_days, not the media's own
  // expiration_days or expire_on, so it follows changes to the account's.
  bool expiry_from_account = false;
  std::string blob_id;
  std::string wrapped_key;  // data key, wrapped by the owner's key (base64url)
  // What the probe read at ingest (media/probe.h); unset where it does not
  // apply or was not read (media from before schema v24).
  std::optional<int64_t> duration_ms;
  std::optional<int64_t> width;
  std::optional<int64_t> height;
  std::vector<std::string> codecs;
  std::optional<std::string> frame_rate;  // "30000/1001"
  std::optional<int64_t> rotation;        // clockwise degrees
};

struct MediaQuery {
  std::string account_id;
  std::optional<std::string> end_user;
  std::optional<std::string> tag;
  std::optional<std::string> kind;
  std::optional<int64_t> after_seq;  // cursor
  int limit = 100;
};

// A blob that may exist without a media record pointing at it: written
// before the first byte of an upload goes to the BlobStore, and inserted in
// the transaction that deletes a media record; cleared with the record's
// insert, or once the blob is gone. Startup recovery looks at these only,
// never at a listing of the store (MediaLibrary::Recover).
struct BlobIntent {
  std::string blob_id;
  int64_t created_ms = 0;
  std::string owner;        // the instance that made it (InstanceId); "" before v27
  bool referenced = false;  // a media record names the blob (read, not stored)
};

// A durable background job (JobQueue). `payload` is opaque to the store and
// carries ids, never personal data itself.
struct JobRecord {
  std::string id;  // job_...
  std::string kind;
  std::string payload;
  std::string state;  // "pending", "done" or "failed"
  int attempts = 0;   // claims so far, counted when claimed
  int64_t run_after_ms = 0;
  std::optional<int64_t> lease_until_ms;  // claimed until then
  std::string last_error;
  int64_t created_ms = 0;
  std::string lease_owner;  // the instance (InstanceId) holding the lease
};

// A derived artifact of one media object (a poster, a transcript), and the
// durable task that makes it. The artifact's bytes live in the blob
// MediaArtifactBlobId(media blob, kind), sealed under the media's data key,
// so they go with the media and are erased with its key.
struct MediaArtifactRecord {
  std::string media_id;
  std::string kind;  // "poster", "transcript" or "web" (the web rendition)
  std::string account_id;
  // "pending" (waiting or running), "ready", "failed" (the media cannot be
  // decoded, or a limit was hit) or "refused" (the processing gate said no).
  std::string state;
  int attempts = 0;  // claims so far
  int64_t run_after_ms = 0;
  std::optional<int64_t> lease_until_ms;  // claimed until then
  int64_t bytes = 0;                      // plaintext size once ready
  std::string detail;                     // a problem type when failed or refused
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int progress_milli = 0;   // the worker's progress while pending, 0..1000
  std::string lease_owner;  // the instance (InstanceId) holding the lease
};

// What an account asked the media workers to make of its audio and video
// uploaded from now on (all off until it asks).
struct MediaProcessingSettings {
  bool transcription = false;  // on-premises transcripts
  bool web_rendition = false;  // an H.264/AAC MP4 for playback everywhere
};

// A message waiting in (or sent from) the outbox.
struct OutboxRecord {
  std::string id;  // msg_...
  std::string recipient;
  std::string subject;
  std::string body;  // emptied once sent: the outbox keeps no copy of content
  int64_t created_ms = 0;
  std::optional<int64_t> sent_ms;
};

// One end user's erasure (USE-5, USE-7). `subject` holds the end-user
// reference only while the purge is pending; it is emptied when it ends.
struct ErasureRecord {
  std::string id;  // era_...
  std::string account_id;
  // What is erased, in clear only until the purge ends: the end-user
  // reference, the media id or the account id, by `scope`.
  std::string subject;
  std::string state;  // "pending", "held", "keys-destroyed", "done"
  int64_t media_erased = 0;
  int64_t usage_deidentified = 0;
  int64_t created_ms = 0;
  std::optional<int64_t> keys_destroyed_ms;
  std::optional<int64_t> purged_ms;
  std::string scope = "end_user";  // "end_user", "media" or "account"
  std::string target;              // KeyedIds::Of(scope, account_id, subject): kept for good
  std::string cause = "request";   // "request", "retention", "closure"
  std::string blob_id;             // media scope: the blob the purge removes
  // The audit event that recorded the erasure (its seq and chain hash), set
  // when the erasure is made; unset for erasures made before version 8.
  std::optional<int64_t> audit_seq;
  std::string audit_hash;
};

struct ErasureQuery {
  std::string account_id;
  std::optional<std::string> target;     // only erasures of this keyed name
  std::optional<std::string> before_id;  // cursor: erasures created before this one
  int limit = 100;
};

// A member of the operator's staff (USE-6, USE-4). `role` is one of
// "support", "security", "legal", "admin" (domain/staff.h has the typed
// StaffRole). A member signs in with a password, kept only as its argon2id
// hash, and a TOTP code whose seed is sealed under the member's own key
// (KeyRing::StaffKey), never stored in the clear.
struct StaffRecord {
  std::string id;  // stf_...
  std::string name;
  std::string role;
  int64_t created_ms = 0;
  std::optional<int64_t> disabled_ms;  // set: the member can no longer sign in
  std::string password_hash;           // argon2id (crypto/secret_hash.h)
  std::string totp_seed;               // base64url(nonce || AES-256-GCM(seed) || tag)
  int64_t totp_last_step = -1;         // the last TOTP step accepted: replay guard
};

// A staff sign-in (SEC-2): the token is stored only as its digest and
// works until `expires_ms` (a short absolute lifetime) or sign-out.
struct StaffSessionRecord {
  std::string token_digest;
  std::string staff_id;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  std::optional<int64_t> revoked_ms;
};

// An access grant (USE-4): one staff member may touch one account's data,
// within `scopes`, for `purpose` under `ticket`, until `expires_ms` or
// revocation. `scopes` is a space-separated list of scope names
// (domain/access_grants.h).
struct AccessGrantRecord {
  std::string id;  // grt_...
  std::string staff_id;
  std::string account_id;
  std::string purpose;  // debugging, security_investigation, abuse_review, legal
  std::string ticket;
  std::string scopes;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  std::optional<int64_t> revoked_ms;
  std::string revoked_by;  // the staff member who revoked it
};

// One line of an account's access log (USE-4): a grant made or revoked
// for the account, or a staff request served under a grant. The customer
// reads these.
struct AccessLogEntry {
  std::string id;  // acl_...
  std::string account_id;
  int64_t at_ms = 0;
  std::string staff_id;
  std::string grant_id;
  std::string purpose;
  std::string ticket;
  std::string kind;    // "grant.create", "grant.revoke" or "request"
  std::string method;  // the staff request's, for kind "request"
  std::string route;   // its route pattern
  std::string path;    // its path (no query)
};

// A legal hold (USE-6) on an account, one of its end users, or one of its
// media. `subject` is empty for an account hold, the keyed hash
// (KeyedIds::Of("end_user", account_id, ref)) of the end-user reference
// for an end-user hold (never the reference itself), and the media id for
// a media hold. Active while not released and not past `ends_ms`.
struct HoldRecord {
  std::string id;  // hld_...
  std::string account_id;
  std::string scope;  // "account", "end_user", "media"
  std::string subject;
  std::string reason;  // staff only
  std::string matter;  // staff only: the matter reference
  std::optional<int64_t> ends_ms;
  bool non_disclosure = false;  // hidden from the customer
  std::string placed_by;        // stf_...
  int64_t placed_ms = 0;
  std::string released_by;  // stf_..., or "lethe:legal-holds" when it ended; "" while held
  std::optional<int64_t> released_ms;
};

// A data-subject request (RGT-1..4): about an end user of an account
// (Lethe as processor) or about the customer itself (Lethe as controller).
// Dates are UTC calendar dates, "YYYY-MM-DD" (domain/legal_clock.h).
struct PrivacyRequestRecord {
  std::string id;  // prq_...
  std::string customer_id;
  std::string account_id;    // "" for the customer's own request
  std::string subject_kind;  // "end_user" or "customer"
  std::string subject;       // the end-user reference, or the customer id
  std::string type;          // access, portability, rectification, erasure, ...
  std::string jurisdiction;  // "gdpr" or "ccpa"
  std::string
      state;  // received, identity_unverified, verified, in_progress, completed, denied, extended
  int64_t received_ms = 0;
  std::string acknowledge_by;  // CCPA only, else ""
  std::string due;             // moves once, with an extension
  std::string latest_due;      // the furthest an extension may reach
  bool extended = false;
  std::string reason;  // of a denial or an extension
  // Verification of a customer's own request: the code's digest (never the
  // code), when it stops working, and how many wrong codes were tried.
  std::string code_digest;
  int64_t code_expires_ms = 0;
  int code_failures = 0;
  // An authorized agent acting for the subject, and their written
  // permission, sealed (see RequestSeals); the subject's own confirmation.
  std::string agent_name;
  std::string agent_document;
  bool subject_confirmed = false;
  bool reminded = false;  // the 7-day reminder went out
  std::string outcome;    // JSON: what fulfilment did (receipt, link expiry, ...)
};

// A limit on processing one subject's data (GDPR Art. 18 restriction,
// Art. 21 objection, CCPA opt-outs), placed by a privacy request. While
// `lift_notice` is set the limit is being lifted: it holds until that
// notice to the subject has gone out.
struct ProcessingLimitRecord {
  std::string id;          // plm_...
  std::string account_id;  // "" when the subject is a customer
  std::string subject;     // the end-user reference, or the customer id
  std::string kind;        // restriction, objection, opt_out_of_sale_or_sharing, limit_sensitive
  std::string request_id;
  int64_t since_ms = 0;
  std::string lift_notice;  // outbox message id, once lifting began
};

// One row of the disclosure ledger (SHR-1, SHR-3, SHR-4): personal data of
// an account that left Lethe, to whom, why and on what basis.
struct DisclosureRecord {
  std::string id;           // dsc_...
  std::string customer_id;  // the account's customer
  std::string account_id;
  std::string recipient;       // who received it: a sub-processor, an authority, a webhook host
  std::string recipient_kind;  // subprocessor, authority, customer_endpoint, third_party
  std::string purpose;         // why, as a registered purpose (transcription, legal_request, ...)
  std::string legal_basis;     // contract, consent, legal_obligation, legitimate_interest
  std::string categories;      // data categories sent, comma-separated (content, metadata, ...)
  std::string subject;         // the end-user reference (keyed), "" for account-wide
  std::string what;            // what was sent, in ids and sizes, never content
  std::string reference;       // the instruction it answers (a request, a delivery, a consent)
  int64_t at_ms = 0;
  // Kept from the customer's view while a non-disclosure order runs (a
  // legal request's, SHR-4); shown once the order ends.
  bool withheld = false;
};

// A request from an authority for an account's data (SHR-4), as staff
// recorded it, and what Lethe decided. `subject` is the keyed reference
// KeyedIds::Of("end_user", account_id, ref) of the end user it names ("" for
// the whole account), as legal holds keep it. While a non-disclosure order
// runs (`nondisclosure_until_ms` in the future) the customer is not told;
// `notified_ms` is set once the notice is queued in the outbox.
struct LegalRequestRecord {
  std::string id;  // lrq_...
  std::string customer_id;
  std::string account_id;
  std::string subject;
  std::string authority;       // who asks: "Metropolitan Police", "District Court ..."
  std::string authority_type;  // law_enforcement, court, regulator, other
  std::string legal_basis;     // the instrument cited: a warrant, an order, a statute
  std::string reference;       // the authority's own case reference (staff only)
  std::string categories;      // data categories asked for, comma-separated
  int64_t received_ms = 0;
  std::string recorded_by;  // stf_...
  std::optional<int64_t> nondisclosure_until_ms;
  std::string decision;       // "" until decided; then comply, object or partial
  std::string decision_note;  // why (staff only)
  std::string disclosed;      // what was handed over, in ids and sizes; "" for none
  std::optional<int64_t> disclosed_ms;
  std::string decided_by;  // stf_...
  std::optional<int64_t> decided_ms;
  std::optional<int64_t> notified_ms;
};

// How many legal requests of one authority type ended in one decision
// ("" while undecided): a line of the transparency report.
struct LegalRequestTally {
  std::string authority_type;
  std::string decision;
  int64_t count = 0;
};

// A third-party token a customer keeps for an account (SEC-3). The token
// is sealed (AES-256-GCM) under a key of its own, wrapped by the account
// key in the key store; `sealed_token` is base64url(nonce || ciphertext ||
// tag). Destroying that key and deleting the row leaves nothing to open.
struct IntegrationRecord {
  std::string id;  // int_...
  std::string account_id;
  std::string provider;  // e.g. "vimeo"
  std::string label;     // the customer's own name for it, may be ""
  std::string sealed_token;
  int64_t created_ms = 0;
};

// One line of an account's usage, tallied for aggregates (SHR-6): how many
// events one person (the end user the requests named, else their IP
// address) made on one UTC day from one country with one browser.
struct UsageTally {
  int64_t day = 0;  // days since 1970-01-01 (UTC)
  std::string country;
  std::string browser;
  std::string person;
  int64_t events = 0;
};

// One step of a request's history, in order.
struct PrivacyRequestStep {
  std::string request_id;
  int64_t seq = 0;  // assigned by the store
  std::string state;
  int64_t at_ms = 0;
  std::string actor;
  std::string reason;
};

// A single-use download link to a subject's export (RGT-1), stored by the
// digest of its token only.
struct ExportLinkRecord {
  std::string token_digest;
  std::string customer_id;
  std::string request_id;  // the privacy request it answers
  std::string account_id;  // the end user's account; "" for the customer itself
  std::string end_user;    // "" for the customer itself
  std::string jurisdiction;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  std::optional<int64_t> used_ms;  // set once redeemed
};

// One entry of the consent ledger (ACC-5, SEC-5, SEC-6, SHR-7): append-only,
// so a subject's history is its entries in seq order and the latest entry
// per purpose is its current choice.
struct ConsentRecord {
  int64_t seq = 0;          // assigned by the store
  std::string id;           // cns_...
  std::string customer_id;  // the tenant the subject belongs to
  std::string account_id;   // "" when the subject is the customer itself
  std::string subject;      // the customer id, or the keyed name of an end user (kh_...)
  std::string purpose;      // purposes.h
  std::string decision;     // "opt_in" or "opt_out"
  std::string source;       // "api", "portal", "gpc", "dnt", "mail" or "recorder" (v30)
  int64_t at_ms = 0;
  int64_t policy_version = 0;  // the policy version in force when given
  std::string request_id;      // the request that carried it (a GPC/DNT signal's request)
};

// One version of the privacy policy (SEC-6). Versions are numbered from 1
// and never change once stored.
struct PolicyVersionRecord {
  int64_t version = 0;
  std::string text;
  int64_t effective_ms = 0;
  bool material = false;  // needs fresh consent for consent-based purposes
  int64_t published_ms = 0;
};

// A marketing mail's one-click unsubscribe token (ACC-5), stored by the
// digest of the token only.
struct UnsubscribeTokenRecord {
  std::string token_digest;
  std::string customer_id;
  std::string message_id;
  int64_t created_ms = 0;
};

// One version of a sub-processor's registry entry (SHR-2, SHR-3). A change
// is a new version, announced to customers and in force from effective_ms;
// the version in force is the newest one whose effective_ms has passed.
struct SubprocessorRecord {
  std::string id;  // sub_...
  int64_t version = 0;
  std::string name;
  std::string purpose;     // why data goes there (transcription, infrastructure, ...)
  std::string region;      // where it processes: eu, us or global
  std::string categories;  // data categories it may receive, comma-separated
  std::string endpoint;    // where the transfer gate sends to; "" for none
  bool retired = false;    // this version ends its use
  std::string changed_by;  // the staff member (or CLI) that made the version
  int64_t announced_ms = 0;
  int64_t effective_ms = 0;
};

// A customer's webhook endpoint. The signing secret is kept only wrapped
// under the account key (KeyRing), so closing the account destroys it.
struct WebhookRecord {
  std::string id;  // whk_...
  std::string customer_id;
  std::string account_id;
  std::string url;
  std::string events;          // event types, comma-separated
  std::string wrapped_secret;  // base64url, KeyRing::WrapDataKey
  int64_t created_ms = 0;
};

// One event for one webhook, delivered at least once. Payloads hold ids
// only; the end user the event is about, needed for the processing gate
// at each attempt, is blanked once the delivery ends or the end user is
// erased (MetadataTx::ForgetSubjectRecords).
struct WebhookDeliveryRecord {
  std::string id;  // msg_..., the webhook-id header
  std::string webhook_id;
  std::string account_id;
  std::string event_type;
  std::string payload;   // the JSON body, ids only
  std::string end_user;  // "" when the event names no end user
  std::string state;     // pending, delivered, failed, refused
  int64_t attempts = 0;
  int64_t created_ms = 0;
  std::optional<int64_t> next_ms;  // the next attempt, while pending
};

// One attempt of a delivery.
struct WebhookAttemptRecord {
  std::string delivery_id;
  int64_t attempt = 0;  // 1, 2, ...
  int64_t at_ms = 0;
  int64_t status_code = 0;  // 0 when there was no answer
  std::string error;        // "" when the receiver took it (2xx)
  int64_t duration_ms = 0;
};

// A delegated upload token (issue 9): lets a browser add media for one end
// user of one account, and nothing else. Looked up by the digest of its
// secret; the secret itself is never stored. Revoked or used up, the row
// is gone.
// The notice an account's end users see before <lethe-recorder> records
// them, and the consent purposes it asks for (issue 15, schema v30). An
// empty text: the account has set none.
struct CaptureNoticeRecord {
  std::string text;
  std::vector<std::string> purposes;  // optional purposes (purposes.h), in the order set
};

struct UploadTokenRecord {
  std::string id;  // upt_...
  std::string digest;
  std::string account_id;
  std::string end_user;
  int64_t max_bytes = 0;
  std::vector<std::string> kinds;                // of "video", "audio", "image"
  std::optional<std::string> title;              // fixed for every upload when set
  std::optional<std::vector<std::string>> tags;  // likewise
  int64_t uses_left = 0;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
};

// A tus upload in progress (issue 9), schema v23. Its bytes so far are
// sealed parts: each PATCH's data is one blob in the at-rest format
// (chunked_cipher.h) under a fresh data key of its own, wrapped like a
// media's (master -> account -> end user -> object). `parts` lists them
// in order, one per line: "<blob_id> <plain bytes> <wrapped key>".
// Nothing here is plaintext media. Goes when completed-and-expired,
// terminated, expired, or with its end user's or account's erasure.
struct UploadRecord {
  std::string id;  // upl_...
  std::string account_id;
  std::string end_user;
  std::string creator;  // the credential that created it (token or account credential id)
  std::optional<std::string> token_digest;  // set when an upload token created it
  int64_t length = 0;                       // Upload-Length
  int64_t offset = 0;                       // bytes acknowledged
  std::string content_type;                 // from metadata filetype; "" to sniff
  std::optional<std::string> title;
  std::optional<std::vector<std::string>> tags;
  bool web_rendition = false;        // the upload asked for a web rendition
  std::optional<int64_t> max_bytes;  // the token's size limit
  std::vector<std::string> kinds;    // the token's kinds; empty: any
  std::string metadata;              // Upload-Metadata as sent, echoed by HEAD
  std::string parts;
  std::optional<std::string> media_id;  // set once complete
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
};

}  // namespace lethe
