// Accounts: a customer's apps (ACC-1, ACC-2, XFR-1). Each account has a
// region fixed at creation, an API token issued at creation (and on
// rotation), and any number of API keys (id + secret). Token and secrets
// are shown once and stored only as SHA-256 digests (SEC-2).
//
// Every lookup is scoped by the owning customer: another customer's account
// is NotFound, never PermissionDenied, so its existence does not leak.
//
// Data-plane credentials are checked on every request, so verified ones are
// cached in memory (by token digest, or by key id with its secret digest).
// Every change that could make a cached entry wrong (rotation, revocation,
// rename) drops that account's entries once committed, and a lookup that
// raced with such a change does not cache what it read: revocation is
// immediate. Several servers on one metadata store (issue 13) cannot tell
// each other, so there the caches are emptied whenever they are older than
// SetCacheLifetime(): a credential revoked elsewhere stops working here
// within that lifetime.
//
// Security notices: a new API key or a rotated token is mailed to the
// customer through the outbox (when one is given), in the same transaction,
// so a credential never appears without its holder being told.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/outbox.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

struct NewAccount {
  AccountRecord account;
  std::string api_token;  // shown once
};

struct NewApiKey {
  ApiKeyRecord key;
  std::string secret;  // shown once
};

// The authenticated caller of a data-plane request.
struct Principal {
  AccountRecord account;
  // The account id for its token, else the key id; for a signed-in
  // customer acting for its own account from the portal (Gate, the
  // Lethe-Account header), the session's id (sid_...), never its token.
  std::string credential_id;
  // That customer (cus_...): who acts in the audit chain then is the
  // person, not a credential.
  std::optional<std::string> acting_customer = std::nullopt;
  Actor actor() const {
    return acting_customer ? Actor::Customer(*acting_customer) : Actor::Credential(credential_id);
  }
};

class Accounts {
 public:
  Accounts(MetadataStore& store, AuditLog& audit, const Clock& clock, Random& random,
           Outbox* notices = nullptr)
      : store_(store), audit_(audit), clock_(clock), random_(random), notices_(notices) {}

  // Returns InvalidArgument("invalid-field") for a bad name or a region
  // other than "us" or "eu"; FailedPrecondition("cross-region-refused")
  // when this server is the cell of another region (SetHomeRegion): the
  // account's data would live outside its territory (XFR-1, XFR-2).
  Result<NewAccount> Create(const std::string& customer_id, const std::string& name,
                            const std::string& region, const RequestOrigin& origin);
  Result<std::vector<AccountRecord>> List(const std::string& customer_id);
  Result<AccountRecord> Get(const std::string& customer_id, const std::string& account_id);
  Result<AccountRecord> Rename(const std::string& customer_id, const std::string& account_id,
                               const std::string& name, const RequestOrigin& origin);
  // Changes what `patch` holds. retention_days (USE-5) is the default
  // retention of the account's media that set none of their own, existing
  // media included; an empty inner value removes it. allowed_origins
  // replaces the origins whose pages may read the account's data plane
  // (CORS, web_origins.h), kept canonical; an empty list closes it again.
  // scrub_metadata turns the removal of location and device metadata from
  // uploads on or off (media_intake.h; on for accounts created since v24).
  // InvalidArgument("invalid-field") for a bad name, a retention outside
  // 1..36500 days, or an origin that is not one.
  struct Patch {
    std::optional<std::string> name;
    std::optional<std::optional<int64_t>> retention_days;
    std::optional<std::vector<std::string>> allowed_origins;
    std::optional<bool> scrub_metadata;
    // The recorder's capture notice (capture_consent.h); an empty text
    // removes it. InvalidArgument as CheckCaptureNotice says.
    std::optional<CaptureNoticeRecord> capture_notice;
  };
  Result<AccountRecord> Update(const std::string& customer_id, const std::string& account_id,
                               const Patch& patch, const RequestOrigin& origin);
  // Makes this the cell of `region` ("us" or "eu", XFR-1): accounts of any
  // other region are refused by Create. Unset (the embedded default, one
  // implicit cell): both regions are accepted. Set before serving.
  void SetHomeRegion(std::string region) { home_region_ = std::move(region); }
  // Serves cached credentials for at most `lifetime` (zero: until a
  // change here drops them). Set before serving.
  void SetCacheLifetime(std::chrono::milliseconds lifetime) { cache_lifetime_ = lifetime; }
  // The account's allowed origins (CORS), canonical; empty when none.
  // Cached like credentials: a change here takes effect at once.
  Result<std::vector<std::string>> AllowedOrigins(const std::string& account_id);
  // Whether the account scrubs metadata from uploads. NotFound for no
  // such account.
  Result<bool> ScrubsMetadata(const std::string& account_id) {
    return store_.FindAccountScrub(account_id);
  }
  // The account's capture notice (empty text: none). NotFound for no such
  // account.
  Result<CaptureNoticeRecord> CaptureNotice(const std::string& account_id) {
    return store_.FindCaptureNotice(account_id);
  }
  // Drops what the credential caches hold of the account (it was closed).
  void ForgetCached(const std::string& account_id) { Forget(account_id); }
  // Called after a retention change commits (the media cache must drop
  // what it holds of the account's expiries).
  void OnRetentionChanged(std::function<void(const std::string& account_id)> fn) {
    on_retention_changed_ = std::move(fn);
  }
  // Called (cheaply, it runs on every such request) when a known API key is
  // presented with a wrong secret, with the key's account id.
  void OnFailedKey(std::function<void(const std::string& account_id)> fn) {
    on_failed_key_ = std::move(fn);
  }
  // Issues a new token; the old one stops working at once.
  Result<std::string> RotateToken(const std::string& customer_id, const std::string& account_id,
                                  const RequestOrigin& origin);

  Result<NewApiKey> CreateKey(const std::string& customer_id, const std::string& account_id,
                              const RequestOrigin& origin);
  Result<std::vector<ApiKeyRecord>> ListKeys(const std::string& customer_id,
                                             const std::string& account_id);
  // Revokes a key for good. NotFound if it is not this account's.
  Status RevokeKey(const std::string& customer_id, const std::string& account_id,
                   const std::string& key_id, const RequestOrigin& origin);

  // The account's audit events after `after_seq`, oldest first.
  Result<std::vector<AuditEvent>> AuditTrail(const std::string& customer_id,
                                             const std::string& account_id, int64_t after_seq,
                                             int limit);

  // The account a verified signed media link names (no customer scope:
  // the link's signature is the authority). NotFound if it is gone.
  Result<AccountRecord> FindForLink(const std::string& account_id);

  // Data-plane authentication with an account token.
  Result<Principal> AuthenticateToken(const std::string& token);
  // Data-plane authentication with an API key; the secret is compared in
  // constant time and the key's last_used_at is updated.
  // Records the time and `ip` of the key's use, at most once a minute (and
  // when the address changes).
  Result<Principal> AuthenticateKey(const std::string& key_id, const std::string& secret,
                                    const std::string& ip = "");

 private:
  struct CachedKey {
    ApiKeyRecord key;
    AccountRecord account;
  };
  static constexpr size_t kMaxCached = 10000;
  static constexpr int64_t kKeyTouchEveryMs = 60'000;
  void Forget(const std::string& account_id);
  // True when the caches are older than their lifetime. Needs cache_mu_.
  bool CacheStale() const {
    return cache_lifetime_.count() > 0 &&
           std::chrono::steady_clock::now() - cache_born_ >= cache_lifetime_;
  }
  // Empties stale caches before an insert. Needs cache_mu_ exclusively.
  void RenewIfStale() {
    if (!CacheStale()) return;
    by_token_.clear();
    by_key_.clear();
    origins_.clear();
    cache_born_ = std::chrono::steady_clock::now();
  }
  // Queues a security notice about `account` to its customer in `tx`.
  Status Notify(MetadataTx& tx, const AccountRecord& account, const std::string& what,
                const RequestOrigin& origin);

  MetadataStore& store_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
  Outbox* notices_;
  std::string home_region_;  // "" for the implicit cell of both regions
  std::function<void(const std::string&)> on_retention_changed_;
  std::function<void(const std::string&)> on_failed_key_;
  std::shared_mutex cache_mu_;
  uint64_t generation_ = 0;                                            // bumped by every Forget
  std::unordered_map<std::string, AccountRecord> by_token_;            // token digest -> account
  std::unordered_map<std::string, CachedKey> by_key_;                  // key id -> key and account
  std::unordered_map<std::string, std::vector<std::string>> origins_;  // account id -> origins
  std::chrono::milliseconds cache_lifetime_{0};                        // 0: no limit
  std::chrono::steady_clock::time_point cache_born_ = std::chrono::steady_clock::now();
};

}  // namespace lethe
