// KeyRing: Lethe's key hierarchy (SEC-1, USE-5).
//
//   master key (one per deployment, outside every store)
//     └─ account key      slot "account/<account id>", wrapped by the master key
//          └─ subject key  slot "subject/<account id>/<sha256(end user)>", wrapped by the account
//          key
//               └─ data key (one per media object), wrapped by its owner's key and kept
//                  in the media record
//          └─ secret key   slot "secret/<account id>/<secret id>", wrapped by the account key:
//                          one per secret the account keeps (an integration's token, SEC-3)
//   └─ customer key  slot "customer/<customer id>", wrapped by the master key: seals what
//                    a customer (not an account) keeps secret, such as a TOTP seed (ACC-4)
//   └─ staff key     slot "staff/<staff id>", wrapped by the master key: seals a staff
//                    member's TOTP seed (SEC-2)
//
// A media object without an end user is owned by the account key directly.
// Destroying a subject key makes every object of that end user unreadable,
// wherever a copy of its ciphertext or record lives. Each wrap binds its
// slot or object id as associated data, so a wrapped key cannot be moved.
#pragma once

#include <string>

#include "common/status.h"
#include "crypto/key_wrap.h"
#include "ports/key_store.h"
#include "ports/random.h"

namespace lethe {

class KeyRing {
 public:
  // Copies `master`; the caller may wipe its own copy.
  KeyRing(const Key& master, KeyStore& store, Random& random)
      : master_(master), store_(store), random_(random) {}
  ~KeyRing() { WipeKey(master_); }
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  // A fresh random data key for one object.
  Key NewDataKey() { return GenerateKey(random_); }

  // Wraps `data_key` for the object `object_id` under the key of its owner
  // (`end_user`, or the account when empty), creating that key on first use.
  // Returns the wrapped key as base64url; FailedPrecondition("key-destroyed")
  // when the owner's key was destroyed.
  Result<std::string> WrapDataKey(const std::string& account_id, const std::string& end_user,
                                  const std::string& object_id, const Key& data_key);

  // Reverses WrapDataKey. Returns FailedPrecondition("key-destroyed") when
  // the owner's key was destroyed, DataLoss when the wrapped key was altered.
  Result<Key> UnwrapDataKey(const std::string& account_id, const std::string& end_user,
                            const std::string& object_id, const std::string& wrapped);

  // Destroys an end user's key: all of their objects become unreadable.
  Status DestroySubjectKey(const std::string& account_id, const std::string& end_user);
  // Destroys an account's key, and with it every end-user key and object
  // key under it (ACC-10). Returns OK also when it never existed: the
  // tombstone then keeps it from ever being made.
  Status DestroyAccountKey(const std::string& account_id);

  // The key of one secret the account keeps (SEC-3), made on first use
  // when `create` is true. Returns it; NotFound when it was never made and
  // `create` is false; FailedPrecondition("key-destroyed") when it, or the
  // account key, was destroyed.
  Result<Key> SecretKey(const std::string& account_id, const std::string& secret_id, bool create);
  // Destroys that key for good: whatever it sealed can never be opened
  // again. Returns OK also when it was never made (it can then never be).
  Status DestroySecretKey(const std::string& account_id, const std::string& secret_id);

  // The key of one customer (a login, apart from its accounts), made on
  // first use. Returns it; FailedPrecondition("key-destroyed") when it was
  // destroyed; the store's error otherwise.
  Result<Key> CustomerKey(const std::string& customer_id);

  // The key of one staff member, made on first use. Returns it; the
  // store's error otherwise.
  Result<Key> StaffKey(const std::string& staff_id);

  // Proves that the master key is the one this key store was made under, by
  // opening a check key wrapped by it (created on the first call). Call it
  // before anything is wrapped: a wrong but well-formed master key would
  // otherwise fail every existing object and wrap new keys under itself.
  // Returns OK; FailedPrecondition("master-key-mismatch") for another key;
  // the store's error when it cannot be read.
  Status CheckMasterKey();

 private:
  Result<Key> AccountKey(const std::string& account_id);
  Result<Key> OwnerKey(const std::string& account_id, const std::string& end_user);
  // Gets the key in `slot`, creating it wrapped by `kek` if absent.
  Result<Key> GetOrCreate(const std::string& slot, const Key& kek);

  Key master_;
  KeyStore& store_;
  Random& random_;
};

}  // namespace lethe
