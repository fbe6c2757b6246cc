// BackupKeyStore: where backup-epoch keys live, wrapped by the master key,
// apart from the backups they open (USE-5). One key per epoch (a UTC day,
// "2026-11-29"). Destroying an epoch's key makes every backup of that epoch
// unreadable as a whole, wherever its copies went; production keeps this
// store on another volume than the backups.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace lethe {

class BackupKeyStore {
 public:
  virtual ~BackupKeyStore() = default;

  // Stores `wrapped` as the key of `epoch`, durably. Returns
  // AlreadyExists("epoch-key-exists") if the epoch has a key,
  // FailedPrecondition("epoch-key-destroyed") if it had one that was
  // destroyed, Internal on I/O failure.
  virtual Status Put(const std::string& epoch, const std::vector<uint8_t>& wrapped) = 0;

  // The wrapped key of `epoch`. NotFound if it never had one,
  // FailedPrecondition("epoch-key-destroyed") if it was destroyed.
  virtual Result<std::vector<uint8_t>> Get(const std::string& epoch) = 0;

  // The epochs that have a live key, oldest first.
  virtual Result<std::vector<std::string>> List() = 0;

  // Destroys the key of `epoch` for good (overwritten, synced, unlinked),
  // leaving a tombstone. NotFound if it has no live key.
  virtual Status Destroy(const std::string& epoch) = 0;
};

}  // namespace lethe
