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
};

struct SessionRecord {
  std::string token_digest;
  std::string customer_id;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
};

struct AccountRecord {
  std::string id;  // acc_...
  std::string customer_id;
  std::string name;
  std::string region;  // "us" or "eu", fixed for life (XFR-1)
  std::string token_digest;
  int64_t created_ms = 0;
};

struct ApiKeyRecord {
  std::string id;  // key_...
  std::string account_id;
  std::string secret_digest;
  int64_t created_ms = 0;
  std::optional<int64_t> last_used_ms;
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
  std::string actor;   // cus_..., acc_..., key_..., "system"
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
  std::string blob_id;
  std::string wrapped_key;  // data key, wrapped by the owner's key (base64url)
};

struct MediaQuery {
  std::string account_id;
  std::optional<std::string> end_user;
  std::optional<std::string> tag;
  std::optional<std::string> kind;
  std::optional<int64_t> after_seq;  // cursor
  int limit = 100;
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
  std::string subject;
  std::string state;  // "pending", "keys-destroyed", "done"
  int64_t media_erased = 0;
  int64_t usage_deidentified = 0;
  int64_t created_ms = 0;
  std::optional<int64_t> keys_destroyed_ms;
  std::optional<int64_t> purged_ms;
  // The audit event that recorded the erasure (its seq and chain hash), set
  // when the erasure is made; unset for erasures made before version 8.
  std::optional<int64_t> audit_seq;
  std::string audit_hash;
};

}  // namespace lethe
