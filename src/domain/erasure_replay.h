// ErasureReplay: what was erased stays erased after a restore (USE-5).
//
// A backup taken before an erasure still holds the erased rows (and, under
// its epoch key, their keys). After restoring it, Replay() walks the
// restored store and names every account, end user and media it finds the
// way the erasure journal does (KeyedIds), and erases whatever a journal
// entry names, through the same domain paths as the live erasure:
//   end_user  their subject key is destroyed, their media removed (records
//             and blobs), their usage events de-identified (USE-7);
//   media     that media is removed;
//   account   every end user of the account as above, every media of the
//             account, the account key, its API keys and its token.
// Each removal is audited by actor "lethe:restore". Replaying twice finds
// nothing more to do. An end user named nowhere in the restored store
// (neither media nor usage) has nothing left to erase; their key, if any,
// protects nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/keyed_id.h"
#include "domain/audit_log.h"
#include "domain/key_ring.h"
#include "domain/media_library.h"
#include "ports/erasure_journal.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

struct ReplayCounts {
  int64_t entries = 0;       // journal entries read
  int64_t end_users = 0;     // end users found and erased
  int64_t media = 0;         // media removed
  int64_t usage_events = 0;  // usage events de-identified
  int64_t accounts = 0;      // accounts erased whole
};

class ErasureReplay {
 public:
  static constexpr const char* kActor = "lethe:restore";

  ErasureReplay(MetadataStore& store, MediaLibrary& media, KeyRing& keys, AuditLog& audit,
                const KeyedIds& ids, Random& random)
      : store_(store), media_(media), keys_(keys), audit_(audit), ids_(ids), random_(random) {}

  // Erases from the restored store everything `entries` name. Returns the
  // counts; the first store error otherwise (replaying again is safe).
  Result<ReplayCounts> Replay(const std::vector<JournalEntry>& entries);

 private:
  Status EraseEndUser(const std::string& account_id, const std::string& end_user,
                      ReplayCounts& counts);
  Status EraseAccountRest(const AccountRecord& account, int64_t closed_ms, ReplayCounts& counts);

  MetadataStore& store_;
  MediaLibrary& media_;
  KeyRing& keys_;
  AuditLog& audit_;
  const KeyedIds& ids_;
  Random& random_;
};

}  // namespace lethe
