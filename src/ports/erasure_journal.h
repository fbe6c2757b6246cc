// ErasureJournal: the list of what has been erased, kept outside every
// backup (USE-5). A backup taken before an erasure still holds the erased
// rows and (under an older backup-epoch key) their keys; restoring it
// replays this journal, so what was erased stays erased. It names things
// only by keyed hashes (KeyedIds), so it never holds what erasure removed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace lethe {

struct JournalEntry {
  std::string erasure_id;  // era_...
  std::string scope;       // "end_user", "media" or "account"
  std::string account;     // KeyedIds::Of("account", "", account id)
  std::string target;      // KeyedIds::Of(scope, account id, end user / media id / account id)
  int64_t at_ms = 0;
};

class ErasureJournal {
 public:
  virtual ~ErasureJournal() = default;
  // Appends `entry` and returns once it is durable (fsync). Internal on I/O
  // failure, in which case the caller must not report the erasure done.
  virtual Status Append(const JournalEntry& entry) = 0;
  // Every entry, oldest first; a torn last line (a crash mid-append) is
  // skipped. NotFound is never returned: a missing journal is empty.
  virtual Result<std::vector<JournalEntry>> ReadAll() = 0;
};

}  // namespace lethe
