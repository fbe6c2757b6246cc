// Erasures: forgetting (USE-5, USE-7). Every erasure, of one end user, one
// media or (with account closure) a whole account, leaves a receipt: an
// ErasureRecord that names what it erased only by a keyed hash, with
// counts and times. Media is erased by removing its record, which holds
// the only wrapped copy of its data key, then its blob. An end user is
// erased in two steps. EraseEndUser records the erasure and its purge job in one
// transaction, then destroys the end user's key: from that moment every copy
// of their media (blobs, caches, backups of blobs) is unreadable. The purge
// job then removes their media (records and blobs) and de-identifies their
// usage events: the end-user reference is dropped, IPv4 is cut to /24 and
// IPv6 to /48, the browser version to its major number. The erasure row
// holds the reference only until the purge ends.
//
// Idempotent and crash-safe: the job is durable, destroying a destroyed key
// is no error, and a purge that dies half-way is run again from the start.
// Erasing an end user who has nothing is an erasure with zero counts.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "crypto/keyed_id.h"
#include "domain/accounts.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/domain_events.h"
#include "domain/job_queue.h"
#include "domain/key_ring.h"
#include "domain/legal_holds.h"
#include "domain/media_library.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/erasure_journal.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

// "203.0.113.77" -> "203.0.113.0"; "2001:db8:1:2::5" -> "2001:db8:1::";
// anything else -> "".
std::string CoarsenIp(const std::string& ip);
// "120.0.6099.71" -> "120".
std::string MajorVersion(const std::string& version);

// USE-7: de-identifies the usage events of the account (only those naming
// `end_user` when it is set): the end-user reference goes, IP and browser
// version are coarsened. Returns how many events.
Result<int64_t> DeidentifyUsage(MetadataStore& store, const std::string& account_id,
                                const std::optional<std::string>& end_user);

class Erasures {
 public:
  static constexpr const char* kJobKind = "erasure.purge";
  static constexpr std::chrono::milliseconds kPurgeDelay{200};

  // Registers the purge handler with `jobs`.
  Erasures(MetadataStore& store, MediaLibrary& media, KeyRing& keys, JobQueue& jobs,
           AuditLog& audit, const KeyedIds& ids, ErasureJournal& journal, const Clock& clock,
           Random& random, LegalHolds* holds = nullptr);

  // Returns the erasure once the end user's key is destroyed (state
  // "keys-destroyed"; "done" once the purge has run), with the seq and hash
  // of the audit event that recorded it. InvalidArgument for an empty or
  // oversized reference.
  Result<ErasureRecord> EraseEndUser(const Principal& who, const std::string& end_user,
                                     const RequestOrigin& origin);

  // Erases one media at the customer's request: its data key (in its
  // record) is gone when this returns, audited as "media.delete"; a job
  // then finishes the receipt. NotFound if there is no such media.
  Result<ErasureRecord> EraseMedia(const Principal& who, const std::string& media_id,
                                   const RequestOrigin& origin);

  // Erases a whole account (ACC-10): `in_tx` (closing it: credentials,
  // keys) runs in the transaction that records the erasure, audited as
  // "account.erase" by `actor`; then the account key, and with it every key
  // under it, is destroyed; a job purges media and de-identifies usage.
  using AccountStep = std::function<Status(MetadataTx&)>;
  Result<ErasureRecord> EraseAccount(const Actor& actor, const std::string& account_id,
                                     const std::string& cause, const RequestOrigin& origin,
                                     const AccountStep& in_tx);

  // The retention sweep: erases up to `limit` media past their expiry
  // (expiration_days, expire_on or the account's retention_days) as
  // EraseMedia does, audited as "media.expire" by "lethe:retention", each
  // with a receipt of cause "retention". Returns how many.
  Result<int> ExpireDue(int limit);

  // The account's erasure `id`, NotFound otherwise.
  Result<ErasureRecord> Get(const std::string& account_id, const std::string& id);
  // The account's erasures, newest first (limit clamped to 1..100).
  Result<std::vector<ErasureRecord>> List(ErasureQuery query);
  // The keyed name an erasure of `subject` in `scope` carries, for finding
  // a media's or an end user's receipt without storing either.
  std::string TargetOf(const std::string& scope, const std::string& account_id,
                       const std::string& subject) const {
    return ids_.Of(scope, account_id, subject);
  }

  // Told of "erasure.completed" in the transaction that finishes each
  // erasure (null: no one).
  void SetEvents(DomainEvents* events) { events_ = events; }

 private:
  DomainEvents* events_ = nullptr;
  Status Purge(const JobRecord& job);
  Status PurgeEndUser(ErasureRecord& e);
  // USE-6: whether a legal hold keeps `e` from running now, read in `tx`.
  Result<bool> Held(MetadataReader& tx, const ErasureRecord& e, const std::string& end_user);
  // Records `e` in `tx` as held (no job, no key destroyed), audited
  // "erasure.held" by `actor`; an erasure of the same target already held
  // is returned instead, so repeating a request or a sweep adds nothing.
  Result<ErasureRecord> InsertHeld(MetadataTx& tx, ErasureRecord e, const Actor& actor,
                                   const RequestOrigin& origin);
  // Runs the held erasures of `account_id` that no hold covers any more.
  Status ResumeHeld(const std::string& account_id);
  Status PurgeAccount(ErasureRecord& e);
  // The privacy-request records of the erased end user (all of the
  // account's when "") stop naming them.
  Status ForgetRequestRecords(const ErasureRecord& e, const std::string& end_user);
  // Marks `e` keys-destroyed unless its purge already finished.
  Status MarkKeysDestroyed(ErasureRecord& e);
  // Inserts `e` with its purge job, naming the audit event `tx` recorded
  // last (the erasure's own) as its place in the chain.
  Status Insert(MetadataTx& tx, ErasureRecord& e);
  ErasureRecord NewErasure(const std::string& account_id, const std::string& scope,
                           const std::string& subject, const std::string& cause);
  JournalEntry JournalOf(const ErasureRecord& e) const;
  Result<ErasureRecord> RemoveMedia(const std::string& account_id, const std::string& media_id,
                                    const Actor& actor, const std::string& action,
                                    const std::string& cause, const RequestOrigin& origin);

  MetadataStore& store_;
  MediaLibrary& media_;
  KeyRing& keys_;
  JobQueue& jobs_;
  AuditLog& audit_;
  const KeyedIds& ids_;
  ErasureJournal& journal_;
  LegalHolds* holds_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
