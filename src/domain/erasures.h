// Erasures: forgetting one end user of an account (USE-5, USE-7), in two
// steps. EraseEndUser records the erasure and its purge job in one
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

#include <string>

#include "domain/accounts.h"
#include "domain/audit_log.h"
#include "domain/job_queue.h"
#include "domain/key_ring.h"
#include "domain/media_library.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

// "203.0.113.77" -> "203.0.113.0"; "2001:db8:1:2::5" -> "2001:db8:1::";
// anything else -> "".
std::string CoarsenIp(const std::string& ip);
// "120.0.6099.71" -> "120".
std::string MajorVersion(const std::string& version);

class Erasures {
 public:
  static constexpr const char* kJobKind = "erasure.purge";

  // Registers the purge handler with `jobs`.
  Erasures(MetadataStore& store, MediaLibrary& media, KeyRing& keys, JobQueue& jobs,
           AuditLog& audit, const Clock& clock, Random& random);

  // Returns the erasure once the end user's key is destroyed (state
  // "keys-destroyed"; "done" once the purge has run), with the seq and hash
  // of the audit event that recorded it. InvalidArgument for an empty or
  // oversized reference.
  Result<ErasureRecord> EraseEndUser(const Principal& who, const std::string& end_user,
                                     const RequestOrigin& origin);

  // The account's erasure `id`, NotFound otherwise.
  Result<ErasureRecord> Get(const std::string& account_id, const std::string& id);

 private:
  Status Purge(const JobRecord& job);

  MetadataStore& store_;
  MediaLibrary& media_;
  KeyRing& keys_;
  JobQueue& jobs_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
