#include "domain/key_ring.h"

#include "common/encoding.h"
#include "crypto/secret_hash.h"

namespace lethe {
namespace {

std::string AccountSlot(const std::string& account_id) { return "account/" + account_id; }

std::string SubjectSlot(const std::string& account_id, const std::string& end_user) {
  // The end user's id is hashed: the key store holds no personal identifiers.
  return "subject/" + account_id + "/" + Sha256Hex(end_user);
}

std::string SecretSlot(const std::string& account_id, const std::string& secret_id) {
  return "secret/" + account_id + "/" + secret_id;
}

std::string CustomerSlot(const std::string& customer_id) { return "customer/" + customer_id; }
std::string StaffSlot(const std::string& staff_id) { return "staff/" + staff_id; }

std::string ObjectContext(const std::string& object_id) { return "object/" + object_id; }

}  // namespace

Result<Key> KeyRing::GetOrCreate(const std::string& slot, const Key& kek) {
  auto existing = store_.Get(slot);
  std::string wrapped;
  if (existing.ok()) {
    wrapped = std::move(*existing);
  } else if (existing.status().code() == Status::Code::kNotFound) {
    Key fresh = GenerateKey(random_);
    KeyWiper wipe(fresh);
    auto bytes = WrapKey(kek, fresh, slot, random_);
    // Two racing creators agree on whichever landed first.
    LETHE_ASSIGN_OR_RETURN(wrapped, store_.PutIfAbsent(slot, Base64UrlEncode(bytes)));
  } else {
    return existing.status();
  }
  auto raw = Base64UrlDecode(wrapped);
  if (!raw) return Status::DataLoss("wrapped key in " + slot + " is not valid base64url");
  return UnwrapKey(kek, *raw, slot);
}

Result<Key> KeyRing::AccountKey(const std::string& account_id) {
  return GetOrCreate(AccountSlot(account_id), master_);
}

Result<Key> KeyRing::OwnerKey(const std::string& account_id, const std::string& end_user) {
  LETHE_ASSIGN_OR_RETURN(Key account_key, AccountKey(account_id));
  KeyWiper wipe(account_key);
  if (end_user.empty()) return account_key;
  return GetOrCreate(SubjectSlot(account_id, end_user), account_key);
}

Result<std::string> KeyRing::WrapDataKey(const std::string& account_id, const std::string& end_user,
                                         const std::string& object_id, const Key& data_key) {
  LETHE_ASSIGN_OR_RETURN(Key owner, OwnerKey(account_id, end_user));
  KeyWiper wipe(owner);
  return Base64UrlEncode(WrapKey(owner, data_key, ObjectContext(object_id), random_));
}

Result<Key> KeyRing::UnwrapDataKey(const std::string& account_id, const std::string& end_user,
                                   const std::string& object_id, const std::string& wrapped) {
  auto raw = Base64UrlDecode(wrapped);
  if (!raw) return Status::DataLoss("wrapped data key is not valid base64url");
  LETHE_ASSIGN_OR_RETURN(Key owner, OwnerKey(account_id, end_user));
  KeyWiper wipe(owner);
  return UnwrapKey(owner, *raw, ObjectContext(object_id));
}

Result<Key> KeyRing::CustomerKey(const std::string& customer_id) {
  return GetOrCreate(CustomerSlot(customer_id), master_);
}

Result<Key> KeyRing::StaffKey(const std::string& staff_id) {
  return GetOrCreate(StaffSlot(staff_id), master_);
}

Status KeyRing::CheckMasterKey() {
  auto check = GetOrCreate("check/master", master_);
  if (check.ok()) {
    WipeKey(*check);
    return Status::Ok();
  }
  if (check.status().code() == Status::Code::kDataLoss) {
    return Status::FailedPrecondition(
        "master-key-mismatch",
        "the master key is not the one this data directory's keys were wrapped with; "
        "start with the original key (master.key or LETHE_MASTER_KEY)");
  }
  return check.status();
}

Status KeyRing::DestroyAccountKey(const std::string& account_id) {
  Status st = store_.Destroy(AccountSlot(account_id));
  if (st.code() == Status::Code::kNotFound) {
    // Never used: create it and destroy it, so nothing is ever wrapped under it.
    auto made = AccountKey(account_id);
    if (made.ok()) WipeKey(*made);
    if (!made.ok() && made.status().reason() != "key-destroyed") return made.status();
    st = store_.Destroy(AccountSlot(account_id));
  }
  return st;
}

Result<Key> KeyRing::SecretKey(const std::string& account_id, const std::string& secret_id,
                               bool create) {
  LETHE_ASSIGN_OR_RETURN(Key account_key, AccountKey(account_id));
  KeyWiper wipe(account_key);
  const std::string slot = SecretSlot(account_id, secret_id);
  if (create) return GetOrCreate(slot, account_key);
  LETHE_ASSIGN_OR_RETURN(std::string wrapped, store_.Get(slot));
  auto raw = Base64UrlDecode(wrapped);
  if (!raw) return Status::DataLoss("wrapped key in " + slot + " is not valid base64url");
  return UnwrapKey(account_key, *raw, slot);
}

Status KeyRing::DestroySecretKey(const std::string& account_id, const std::string& secret_id) {
  const std::string slot = SecretSlot(account_id, secret_id);
  Status st = store_.Destroy(slot);
  if (st.code() != Status::Code::kNotFound) return st;
  // Never made: make it destroyed, so nothing is ever sealed under it.
  LETHE_ASSIGN_OR_RETURN(std::string kept, store_.PutIfAbsent(slot, ""));
  (void)kept;
  return store_.Destroy(slot);
}

Status KeyRing::DestroySubjectKey(const std::string& account_id, const std::string& end_user) {
  return store_.Destroy(SubjectSlot(account_id, end_user));
}

}  // namespace lethe
