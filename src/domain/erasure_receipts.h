// ErasureReceipts: the signed receipt of an erasure (USE-5), what
// GET /v1/erasures/{id} returns. A receipt says what was erased (counts by
// kind), when the end user's key was destroyed, when the purge finished,
// the erasure's state, and where the audit chain stood: the seq and chain
// hash of the audit event that recorded the erasure, so the receipt can be
// tied to a signed checkpoint of the chain (any checkpoint of size >= seq
// commits to that event). It never names the end user.
//
// The receipt is a JSON object signed with the deployment's Ed25519 key
// (signed_json.h: canonical form, "signature" and "signing_key" members),
// so the customer can keep it and check it offline with
// `lethe receipt verify FILE --key PUBKEY`; any edit breaks the signature.
#pragma once

#include <boost/json/object.hpp>

#include "crypto/signing_key.h"
#include "ports/clock.h"
#include "ports/records.h"

namespace lethe {

// The value of a receipt's "receipt" member: what kind of statement it is,
// so a signature over another kind of object cannot pass as a receipt.
inline constexpr const char* kErasureReceiptType = "lethe.erasure.v1";

class ErasureReceipts {
 public:
  // `key` and `clock` must outlive this.
  ErasureReceipts(const SigningKey& key, const Clock& clock) : key_(key), clock_(clock) {}

  // The signed receipt of `e` as it stands now, stamped "issued_at" now.
  // Members: receipt, id, account_id, scope, target (the keyed name of what
  // was erased), cause, state, media_erased,
  // usage_events_deidentified, requested_at, keys_destroyed_at, purged_at
  // (RFC 3339 or null), audit ({"seq", "hash"} or null for erasures older
  // than the audit position), issued_at, signature, signing_key. Never fails.
  boost::json::object Seal(const ErasureRecord& e) const;
  // The same members without issued_at, signature and signing_key: what a
  // listing shows of many erasures without signing each.
  static boost::json::object Describe(const ErasureRecord& e);

 private:
  const SigningKey& key_;
  const Clock& clock_;
};

}  // namespace lethe
