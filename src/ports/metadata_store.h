// MetadataStore: where Lethe keeps its records (customers, accounts, keys,
// sessions, events, media metadata). Domain code talks only to this
// interface; SQLite is the first backend and PostgreSQL the next
// (src/adapters/sql holds the shared SQL, one SqlConnection per backend).
//
// Every method is safe to call from several threads. Methods return
// Status::NotFound when a looked-up record is absent, AlreadyExists when a
// uniqueness rule is violated, and Internal on a storage failure.
// Lookups are always scoped by owner where the domain has one, so a caller
// can never fetch another tenant's record by id alone.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "ports/records.h"

namespace lethe {

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // Runs `fn` in one transaction: all of its writes land, or none do.
  // Commits when `fn` returns OK, rolls back otherwise and returns its Status.
  // A committed transaction survives power loss; a write outside Transact
  // survives a crash of the process. Transactions may not nest.
  virtual Status Transact(const std::function<Status()>& fn) = 0;

  // Inside Transact: runs `fn` once the transaction has committed, and
  // never if it rolls back. Callbacks run in order, still serialised with
  // other store calls.
  virtual void AfterCommit(std::function<void()> fn) = 0;

  // Customers. Email uniqueness is case-insensitive: AlreadyExists("email-taken").
  virtual Status InsertCustomer(const CustomerRecord& c) = 0;
  virtual Status UpdateCustomer(const CustomerRecord& c) = 0;
  virtual Result<CustomerRecord> FindCustomer(const std::string& id) = 0;
  virtual Result<CustomerRecord> FindCustomerByEmail(const std::string& email) = 0;

  // Sessions, looked up by the digest of their token.
  virtual Status InsertSession(const SessionRecord& s) = 0;
  virtual Result<SessionRecord> FindSession(const std::string& token_digest) = 0;
  virtual Status DeleteSession(const std::string& token_digest) = 0;

  // Accounts.
  virtual Status InsertAccount(const AccountRecord& a) = 0;
  virtual Status UpdateAccount(const AccountRecord& a) = 0;
  virtual Result<AccountRecord> FindAccount(const std::string& customer_id,
                                            const std::string& account_id) = 0;
  virtual Result<AccountRecord> FindAccountById(const std::string& account_id) = 0;
  virtual Result<AccountRecord> FindAccountByToken(const std::string& token_digest) = 0;
  virtual Result<std::vector<AccountRecord>> ListAccounts(const std::string& customer_id) = 0;

  // API keys. Deleting a key is final: it stops authenticating at once.
  virtual Status InsertApiKey(const ApiKeyRecord& k) = 0;
  virtual Result<ApiKeyRecord> FindApiKey(const std::string& key_id) = 0;
  virtual Result<std::vector<ApiKeyRecord>> ListApiKeys(const std::string& account_id) = 0;
  virtual Status DeleteApiKey(const std::string& account_id, const std::string& key_id) = 0;
  virtual Status TouchApiKey(const std::string& key_id, int64_t used_ms) = 0;

  // Events.
  virtual Status InsertLoginEvent(const LoginEvent& e) = 0;
  // Appends events in one write (group commit: fewer commits under load).
  virtual Status InsertUsageEvents(const std::vector<UsageEvent>& events) = 0;
  virtual Result<std::vector<UsageEvent>> ListUsageEvents(const UsageQuery& q) = 0;

  // Audit chain. AppendAuditEvent assigns `seq`; callers compute the hash
  // from LastAuditEvent() inside the same transaction.
  virtual Result<std::optional<AuditEvent>> LastAuditEvent() = 0;
  virtual Result<int64_t> AppendAuditEvent(const AuditEvent& e) = 0;
  // Events with seq > after_seq, ascending; account_id empty means all.
  virtual Result<std::vector<AuditEvent>> ListAuditEvents(const std::string& account_id,
                                                          int64_t after_seq, int limit) = 0;

  // Media metadata. InsertMedia assigns `seq`.
  virtual Result<int64_t> InsertMedia(const MediaRecord& m) = 0;
  virtual Status UpdateMedia(const MediaRecord& m) = 0;
  virtual Result<MediaRecord> FindMedia(const std::string& account_id,
                                        const std::string& media_id) = 0;
  virtual Result<std::vector<MediaRecord>> ListMedia(const MediaQuery& q) = 0;
  virtual Status DeleteMedia(const std::string& account_id, const std::string& media_id) = 0;
  // Every blob id a media record refers to: startup recovery removes the rest.
  virtual Result<std::vector<std::string>> ListBlobIds() = 0;
};

}  // namespace lethe
