#include "domain/accounts.h"

#include "common/time_format.h"
#include "crypto/secret_hash.h"
#include "domain/capture_consent.h"
#include "domain/validation.h"
#include "domain/web_origins.h"

namespace lethe {
namespace {

Status Unauthenticated() { return Status::Unauthenticated("credential is unknown or revoked"); }

}  // namespace

namespace {

// The account, if it is the customer's and still open: a closed account
// takes no change, so no credential can be made for it again (ACC-10).
Result<AccountRecord> OpenAccount(MetadataReader& tx, const std::string& customer_id,
                                  const std::string& account_id) {
  LETHE_ASSIGN_OR_RETURN(AccountRecord account, tx.FindAccount(customer_id, account_id));
  if (account.closed_ms) {
    return Status::FailedPrecondition("account-closed", "the account is closed");
  }
  return account;
}

}  // namespace

void Accounts::Forget(const std::string& account_id) {
  std::unique_lock lock(cache_mu_);
  ++generation_;  // lookups that read the store before now must not cache
  std::erase_if(by_token_, [&](const auto& kv) { return kv.second.id == account_id; });
  std::erase_if(by_key_, [&](const auto& kv) { return kv.second.account.id == account_id; });
  origins_.erase(account_id);
}

Result<std::vector<std::string>> Accounts::AllowedOrigins(const std::string& account_id) {
  uint64_t generation;
  {
    std::shared_lock lock(cache_mu_);
    generation = generation_;
    auto it = CacheStale() ? origins_.end() : origins_.find(account_id);
    if (it != origins_.end()) return it->second;
  }
  LETHE_ASSIGN_OR_RETURN(std::vector<std::string> origins, store_.FindAccountOrigins(account_id));
  std::unique_lock lock(cache_mu_);
  if (generation != generation_) return origins;
  RenewIfStale();
  if (origins_.size() >= kMaxCached) origins_.clear();
  origins_.emplace(account_id, origins);
  return origins;
}

Result<NewAccount> Accounts::Create(const std::string& customer_id, const std::string& name,
                                    const std::string& region, const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(CheckText("name", name, 200));
  if (region != "us" && region != "eu") {
    return Status::InvalidArgument("invalid-field", "region must be \"us\" or \"eu\"");
  }
  // Nothing is written here for another region's account: its records,
  // media and keys would live in this cell's stores (XFR-1, XFR-2).
  if (!home_region_.empty() && region != home_region_) {
    return Status::FailedPrecondition(
        "cross-region-refused", "this server holds region " + home_region_ + " only; create the " +
                                    region + " account at that region's endpoint");
  }
  NewAccount out;
  out.api_token = RandomToken(random_, "lat_");
  out.account = AccountRecord{RandomId(random_, "acc_"),  customer_id,       name, region,
                              TokenDigest(out.api_token), clock_.NowMillis()};
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.InsertAccount(out.account));
    // Privacy by default: new accounts strip location and device data.
    LETHE_RETURN_IF_ERROR(tx.SetAccountScrub(out.account.id, true));
    return audit_.Record(tx, Actor::Customer(customer_id), "account.create", out.account.id,
                         out.account.id, origin);
  }));
  return out;
}

Status Accounts::Notify(MetadataTx& tx, const AccountRecord& account, const std::string& what,
                        const RequestOrigin& origin) {
  if (!notices_) return Status::Ok();
  LETHE_ASSIGN_OR_RETURN(CustomerRecord customer, tx.FindCustomer(account.customer_id));
  std::string text = "Hello " + customer.name + ",\n\n" + what + " for your Lethe account \"" +
                     account.name + "\" (" + account.id + ") at " +
                     FormatRfc3339(clock_.NowMillis()) + ", from IP address " + origin.ip +
                     ".\n\nIf this was not you, revoke the credential and rotate the account's "
                     "token now, then tell us.\n\nRequest id: " +
                     origin.request_id + "\n";
  return StatusOf(notices_->Send(tx, customer.email, "Security notice: " + account.name, text));
}

Result<std::vector<AccountRecord>> Accounts::List(const std::string& customer_id) {
  return store_.ListAccounts(customer_id);
}

Result<AccountRecord> Accounts::Get(const std::string& customer_id, const std::string& account_id) {
  return store_.FindAccount(customer_id, account_id);
}

Result<AccountRecord> Accounts::Rename(const std::string& customer_id,
                                       const std::string& account_id, const std::string& name,
                                       const RequestOrigin& origin) {
  return Update(customer_id, account_id, Patch{name, std::nullopt, std::nullopt, std::nullopt},
                origin);
}

Result<AccountRecord> Accounts::Update(const std::string& customer_id,
                                       const std::string& account_id, const Patch& patch,
                                       const RequestOrigin& origin) {
  if (patch.name) LETHE_RETURN_IF_ERROR(CheckText("name", *patch.name, 200));
  if (patch.retention_days && *patch.retention_days &&
      (**patch.retention_days < 1 || **patch.retention_days > 36500)) {
    return Status::InvalidArgument("invalid-field",
                                   "retention_days must be 1 to 36500 (100 years), or null");
  }
  if (patch.capture_notice && !patch.capture_notice->text.empty()) {
    LETHE_RETURN_IF_ERROR(CheckCaptureNotice(*patch.capture_notice));
  }
  std::optional<std::vector<std::string>> origins;
  if (patch.allowed_origins) {
    LETHE_ASSIGN_OR_RETURN(origins, CanonicalOrigins(*patch.allowed_origins));
  }
  AccountRecord account;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(account, OpenAccount(tx, customer_id, account_id));
    if (origins) LETHE_RETURN_IF_ERROR(tx.SetAccountOrigins(account_id, *origins));
    if (patch.scrub_metadata) {
      LETHE_RETURN_IF_ERROR(tx.SetAccountScrub(account_id, *patch.scrub_metadata));
    }
    if (patch.capture_notice) {
      LETHE_RETURN_IF_ERROR(tx.SetCaptureNotice(account_id, *patch.capture_notice));
    }
    if (patch.name) account.name = *patch.name;
    if (patch.retention_days) {
      account.retention_days = *patch.retention_days;
      LETHE_RETURN_IF_ERROR(tx.SetAccountRetention(account_id, account.retention_days));
    }
    LETHE_RETURN_IF_ERROR(tx.UpdateAccount(account));
    return audit_.Record(tx, Actor::Customer(customer_id),
                         patch.retention_days   ? "account.retention"
                         : origins              ? "account.origins"
                         : patch.capture_notice ? "account.capture_notice"
                         : patch.scrub_metadata
                             ? (*patch.scrub_metadata ? "account.scrub_on" : "account.scrub_off")
                             : "account.update",
                         account_id, account_id, origin);
  }));
  Forget(account_id);
  if (patch.retention_days && on_retention_changed_) on_retention_changed_(account_id);
  return account;
}

Result<std::string> Accounts::RotateToken(const std::string& customer_id,
                                          const std::string& account_id,
                                          const RequestOrigin& origin) {
  std::string token = RandomToken(random_, "lat_");
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(AccountRecord account, OpenAccount(tx, customer_id, account_id));
    account.token_digest = TokenDigest(token);
    LETHE_RETURN_IF_ERROR(tx.UpdateAccount(account));
    LETHE_RETURN_IF_ERROR(Notify(tx, account, "Its API token was rotated", origin));
    return audit_.Record(tx, Actor::Customer(customer_id), "account.token_rotate", account_id,
                         account_id, origin);
  }));
  Forget(account_id);
  return token;
}

Result<NewApiKey> Accounts::CreateKey(const std::string& customer_id, const std::string& account_id,
                                      const RequestOrigin& origin) {
  NewApiKey out;
  out.secret = RandomToken(random_, "lsk_");
  out.key = ApiKeyRecord{RandomId(random_, "key_"), account_id, TokenDigest(out.secret),
                         clock_.NowMillis(), std::nullopt};
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(AccountRecord account, OpenAccount(tx, customer_id, account_id));
    LETHE_RETURN_IF_ERROR(tx.InsertApiKey(out.key));
    LETHE_RETURN_IF_ERROR(
        Notify(tx, account, "A new API key, " + out.key.id + ", was created", origin));
    return audit_.Record(tx, Actor::Customer(customer_id), "key.create", out.key.id, account_id,
                         origin);
  }));
  return out;
}

Result<std::vector<ApiKeyRecord>> Accounts::ListKeys(const std::string& customer_id,
                                                     const std::string& account_id) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  return store_.ListApiKeys(account_id);
}

Status Accounts::RevokeKey(const std::string& customer_id, const std::string& account_id,
                           const std::string& key_id, const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(StatusOf(OpenAccount(tx, customer_id, account_id)));
    LETHE_RETURN_IF_ERROR(tx.DeleteApiKey(account_id, key_id));
    return audit_.Record(tx, Actor::Customer(customer_id), "key.revoke", key_id, account_id,
                         origin);
  }));
  Forget(account_id);
  return Status::Ok();
}

Result<std::vector<AuditEvent>> Accounts::AuditTrail(const std::string& customer_id,
                                                     const std::string& account_id,
                                                     int64_t after_seq, int limit) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  return store_.ListAuditEvents(account_id, after_seq, limit);
}

Result<AccountRecord> Accounts::FindForLink(const std::string& account_id) {
  return store_.FindAccountById(account_id);
}

Result<Principal> Accounts::AuthenticateToken(const std::string& token) {
  // Looked up by digest: the token itself is never stored or compared.
  std::string digest = TokenDigest(token);
  uint64_t generation;
  {
    std::shared_lock lock(cache_mu_);
    generation = generation_;
    auto it = CacheStale() ? by_token_.end() : by_token_.find(digest);
    if (it != by_token_.end()) {
      return Principal{it->second, it->second.id};
    }
  }
  auto account = store_.FindAccountByToken(digest);
  if (!account.ok()) {
    return account.status().code() == Status::Code::kNotFound ? Unauthenticated()
                                                              : account.status();
  }
  std::unique_lock lock(cache_mu_);
  if (generation != generation_) return Principal{*account, account->id};
  RenewIfStale();
  if (by_token_.size() >= kMaxCached) by_token_.clear();
  by_token_.emplace(digest, *account);
  return Principal{*account, account->id};
}

Result<Principal> Accounts::AuthenticateKey(const std::string& key_id, const std::string& secret,
                                            const std::string& ip) {
  std::string digest = TokenDigest(secret);
  std::optional<CachedKey> cached;
  uint64_t generation;
  {
    std::shared_lock lock(cache_mu_);
    generation = generation_;
    auto it = CacheStale() ? by_key_.end() : by_key_.find(key_id);
    if (it != by_key_.end()) cached = it->second;
  }
  if (!cached) {
    auto key = store_.FindApiKey(key_id);
    if (!key.ok()) {
      if (key.status().code() != Status::Code::kNotFound) return key.status();
      return Unauthenticated();
    }
    LETHE_ASSIGN_OR_RETURN(AccountRecord account, store_.FindAccountById(key->account_id));
    cached = CachedKey{*key, account};
  }
  if (!ConstantTimeEquals(cached->key.secret_digest, digest)) {
    // A wrong secret for a real key: a failure against this account's
    // credentials (an abuse signal, ADM-1). Unknown keys name no account.
    if (on_failed_key_) on_failed_key_(cached->account.id);
    return Unauthenticated();
  }
  // Last use is written at most once a minute, or when the address changes
  // (then at most once a second): no write for every request.
  int64_t now = clock_.NowMillis();
  const std::optional<int64_t>& last = cached->key.last_used_ms;
  if (!last || now - *last >= kKeyTouchEveryMs ||
      (ip != cached->key.last_used_ip && now - *last >= 1000)) {
    LETHE_RETURN_IF_ERROR(
        store_.Transact([&](MetadataTx& tx) { return tx.TouchApiKey(key_id, now, ip); },
                        Durability::kProcessCrash));
    cached->key.last_used_ms = now;
    cached->key.last_used_ip = ip;
  }
  std::unique_lock lock(cache_mu_);
  if (generation != generation_) return Principal{cached->account, key_id};
  RenewIfStale();
  if (by_key_.size() >= kMaxCached) by_key_.clear();
  by_key_.insert_or_assign(key_id, *cached);
  return Principal{cached->account, key_id};
}

}  // namespace lethe
