// Signed JSON: a JSON object signed with the deployment's Ed25519 key, so
// whoever holds it (an erasure receipt, say) can prove offline what Lethe
// said, and any edit shows.
//
// The signed bytes are the object's canonical form: every object's members
// sorted by key (byte order), recursively, then boost::json::serialize
// (no whitespace, numbers and strings as Boost.JSON writes them). Arrays
// keep their order. The signed object is the original plus two members:
//   "signature":   standard base64 of the 64-byte Ed25519 signature
//   "signing_key": standard base64 of the 32-byte public key, exactly as
//                  GET /.well-known/lethe/signing-key serves `public_key`
// Neither is covered by the signature; verification removes both, takes the
// canonical form of the rest, and checks the signature against the key the
// verifier trusts (not the one the object names). Integers survive a
// serialize/parse round trip exactly; avoid floating-point members, whose
// text may differ between writers.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "common/status.h"
#include "crypto/signing_key.h"

namespace lethe {

inline constexpr const char* kSignatureField = "signature";
inline constexpr const char* kSigningKeyField = "signing_key";

// The canonical text of `v`: object keys sorted recursively, serialized.
std::string CanonicalJson(const boost::json::value& v);

// `body` with "signature" and "signing_key" added (replacing any members of
// those names, which are not signed). Never fails.
boost::json::object SignJson(boost::json::object body, const SigningKey& key);

// OK when `signed_object` carries a valid signature by `trusted`. Otherwise:
// InvalidArgument "not-signed" when either member is missing or malformed,
// FailedPrecondition "other-key" when it names another signing key, and
// DataLoss when the signature does not match the contents (an edit).
Status VerifySignedJson(const boost::json::object& signed_object,
                        const SigningKey::PublicKey& trusted);

}  // namespace lethe
