// SqlMetadataStore: MetadataStore over any SqlConnection. The SQL here is
// shared by every backend; dialect differences live in schema.cc.
//
// One connection, serialised by a recursive mutex that a transaction holds
// from BEGIN to COMMIT, so a transaction sees no interleaved writes.
#pragma once

#include <memory>
#include <mutex>

#include "adapters/sql/sql_connection.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"

namespace lethe {

class SqlMetadataStore final : public MetadataStore {
 public:
  // Takes ownership of `conn` and brings its schema up to date.
  // Returns Internal when a migration fails.
  static Result<std::unique_ptr<SqlMetadataStore>> Open(std::unique_ptr<SqlConnection> conn,
                                                        const Clock& clock);

  Status Transact(const std::function<Status()>& fn) override;
  void AfterCommit(std::function<void()> fn) override;

  Status InsertCustomer(const CustomerRecord& c) override;
  Status UpdateCustomer(const CustomerRecord& c) override;
  Result<CustomerRecord> FindCustomer(const std::string& id) override;
  Result<CustomerRecord> FindCustomerByEmail(const std::string& email) override;

  Status InsertSession(const SessionRecord& s) override;
  Result<SessionRecord> FindSession(const std::string& token_digest) override;
  Status DeleteSession(const std::string& token_digest) override;

  Status InsertAccount(const AccountRecord& a) override;
  Status UpdateAccount(const AccountRecord& a) override;
  Result<AccountRecord> FindAccount(const std::string& customer_id,
                                    const std::string& account_id) override;
  Result<AccountRecord> FindAccountById(const std::string& account_id) override;
  Result<AccountRecord> FindAccountByToken(const std::string& token_digest) override;
  Result<std::vector<AccountRecord>> ListAccounts(const std::string& customer_id) override;

  Status InsertApiKey(const ApiKeyRecord& k) override;
  Result<ApiKeyRecord> FindApiKey(const std::string& key_id) override;
  Result<std::vector<ApiKeyRecord>> ListApiKeys(const std::string& account_id) override;
  Status DeleteApiKey(const std::string& account_id, const std::string& key_id) override;
  Status TouchApiKey(const std::string& key_id, int64_t used_ms) override;

  Status InsertLoginEvent(const LoginEvent& e) override;
  Status InsertUsageEvents(const std::vector<UsageEvent>& events) override;
  Result<std::vector<UsageEvent>> ListUsageEvents(const UsageQuery& q) override;

  Result<std::optional<AuditEvent>> LastAuditEvent() override;
  Result<int64_t> AppendAuditEvent(const AuditEvent& e) override;
  Result<std::vector<AuditEvent>> ListAuditEvents(const std::string& account_id, int64_t after_seq,
                                                  int limit) override;

  Result<int64_t> InsertMedia(const MediaRecord& m) override;
  Status UpdateMedia(const MediaRecord& m) override;
  Result<MediaRecord> FindMedia(const std::string& account_id,
                                const std::string& media_id) override;
  Result<std::vector<MediaRecord>> ListMedia(const MediaQuery& q) override;
  Status DeleteMedia(const std::string& account_id, const std::string& media_id) override;
  Result<std::vector<std::string>> ListBlobIds() override;

 private:
  explicit SqlMetadataStore(std::unique_ptr<SqlConnection> conn) : conn_(std::move(conn)) {}
  Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params);
  // Runs a write that must touch exactly one row; NotFound otherwise.
  Status ExecOne(const std::string& sql, const std::vector<SqlValue>& params);
  Status WriteTags(const MediaRecord& m);
  Status LoadTags(MediaRecord& m);

  std::recursive_mutex mu_;
  std::unique_ptr<SqlConnection> conn_;
  bool in_transaction_ = false;
  std::vector<std::function<void()>> after_commit_;
  bool forget_on_commit_ = false;
  // Personal data was deleted or overwritten: once that commits, have the
  // connection drop every old copy (see SqlConnection::Forget).
  void ForgetOnCommit();
  void ForgetNow();  // caller holds mu_, outside a transaction
};

}  // namespace lethe
