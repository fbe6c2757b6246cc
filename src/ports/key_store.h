// KeyStore: where wrapped encryption keys live, apart from the metadata and
// the blobs. Keeping keys in their own store is what makes crypto-shredding
// work: destroying a key here makes every copy of the data it protected,
// backups of the metadata and blobs included, unreadable (USE-5).
//
// Slots are strings such as "account/acc_x" or "subject/acc_x/<end user>".
// Values are keys already wrapped by the key above them; the store never
// sees a key in the clear.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"

namespace lethe {

class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Stores `wrapped` in `slot` unless the slot holds a key already; returns
  // the value the slot holds afterwards (so racing creators agree on one key).
  // Returns FailedPrecondition("key-destroyed") if the slot was destroyed:
  // a destroyed key is never re-created under the same slot.
  virtual Result<std::string> PutIfAbsent(const std::string& slot, const std::string& wrapped) = 0;

  // The wrapped key in `slot`; NotFound if never created,
  // FailedPrecondition("key-destroyed") if destroyed.
  virtual Result<std::string> Get(const std::string& slot) = 0;

  // Destroys the key in `slot` for good, leaving a tombstone.
  // Returns NotFound if the slot never held a key.
  virtual Status Destroy(const std::string& slot) = 0;
};

}  // namespace lethe
