#include "domain/key_ring.h"

#include "common/encoding.h"
#include "crypto/secret_hash.h"

namespace lethe {
namespace {

std::string SubjectSlot(const std::string& account_id, const std::string& end_user) {
  // The end user's id is hashed: the key store holds no personal identifiers.
  return "subject/" + account_id + "/" + Sha256Hex(end_user);
}

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
  return GetOrCreate("account/" + account_id, master_);
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

Status KeyRing::DestroySubjectKey(const std::string& account_id, const std::string& end_user) {
  return store_.Destroy(SubjectSlot(account_id, end_user));
}

Status KeyRing::DestroyAccountKey(const std::string& account_id) {
  return store_.Destroy("account/" + account_id);
}

}  // namespace lethe
