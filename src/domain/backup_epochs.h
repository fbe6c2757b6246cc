// BackupEpochs: the keys that make old backups forget (USE-5).
//
// Every backup is sealed under the key of its epoch, the UTC day it was
// taken ("2026-11-29"). The first backup of a day makes that day's key: a
// fresh random 256-bit key, kept only wrapped by the master key in a
// BackupKeyStore. Once an epoch is older than `max_age_days` whole days its
// key is destroyed, and every backup of that epoch, wherever its copies
// went, is unreadable as a whole: its databases (and so the data keys of its
// blobs) cannot be opened. The server runs DestroyExpired daily and before
// each backup.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "crypto/key_wrap.h"
#include "ports/backup_key_store.h"
#include "ports/clock.h"
#include "ports/random.h"

namespace lethe {

class BackupEpochs {
 public:
  static constexpr int kDefaultMaxAgeDays = 30;

  // Copies `master`; the caller may wipe its own copy. `max_age_days` >= 1.
  BackupEpochs(const Key& master, BackupKeyStore& store, const Clock& clock, Random& random,
               int max_age_days = kDefaultMaxAgeDays);
  ~BackupEpochs() { WipeKey(master_); }
  BackupEpochs(const BackupEpochs&) = delete;
  BackupEpochs& operator=(const BackupEpochs&) = delete;

  // The epoch of the instant `millis`: its UTC date, "YYYY-MM-DD".
  static std::string EpochOf(int64_t millis);

  struct EpochKey {
    std::string epoch;
    Key key;
  };
  // Today's epoch and its key, made (and stored) on first use. Returns the
  // store's error when it cannot be read or written.
  Result<EpochKey> Current();

  // The key of `epoch`. Returns FailedPrecondition("backup-epoch-destroyed",
  // "backup epoch key destroyed: backup unreadable") when it was destroyed;
  // NotFound("backup-epoch-missing") when the store never had it (another
  // key directory?); FailedPrecondition("master-key-mismatch") when the
  // master key does not open it.
  Result<Key> Open(const std::string& epoch);

  // Destroys the key of every epoch more than max_age_days days before
  // today. Returns how many keys it destroyed.
  Result<int> DestroyExpired();

 private:
  Key master_;
  BackupKeyStore& store_;
  const Clock& clock_;
  Random& random_;
  int max_age_days_;
};

}  // namespace lethe
