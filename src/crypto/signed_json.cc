#include "crypto/signed_json.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <span>
#include <vector>

#include "common/encoding.h"

namespace lethe {
namespace {

boost::json::value Sorted(const boost::json::value& v) {
  if (const boost::json::object* obj = v.if_object()) {
    std::vector<const boost::json::key_value_pair*> members;
    for (const auto& kv : *obj) members.push_back(&kv);
    std::sort(members.begin(), members.end(),
              [](const auto* a, const auto* b) { return a->key() < b->key(); });
    boost::json::object out;
    out.reserve(members.size());
    for (const auto* kv : members) out.emplace(kv->key(), Sorted(kv->value()));
    return out;
  }
  if (const boost::json::array* arr = v.if_array()) {
    boost::json::array out;
    out.reserve(arr->size());
    for (const auto& item : *arr) out.push_back(Sorted(item));
    return out;
  }
  return v;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

std::string CanonicalJson(const boost::json::value& v) { return boost::json::serialize(Sorted(v)); }

boost::json::object SignJson(boost::json::object body, const SigningKey& key) {
  body.erase(kSignatureField);
  body.erase(kSigningKeyField);
  std::string canonical = CanonicalJson(body);
  SigningKey::Signature sig = key.Sign(Bytes(canonical));
  body[kSignatureField] = Base64Encode(sig);
  body[kSigningKeyField] = Base64Encode(key.public_key());
  return body;
}

Status VerifySignedJson(const boost::json::object& signed_object,
                        const SigningKey::PublicKey& trusted) {
  const boost::json::value* sig_text = signed_object.if_contains(kSignatureField);
  const boost::json::value* key_text = signed_object.if_contains(kSigningKeyField);
  if (!sig_text || !sig_text->is_string() || !key_text || !key_text->is_string()) {
    return Status::InvalidArgument("not-signed", "no \"signature\" and \"signing_key\" members");
  }
  auto sig_bytes = Base64Decode(sig_text->get_string());
  if (!sig_bytes || sig_bytes->size() != SigningKey::kSignatureBytes) {
    return Status::InvalidArgument("not-signed", "the signature is not 64 bytes of base64");
  }
  auto named = ParsePublicKey(key_text->get_string());
  if (!named || *named != trusted) {
    return Status::FailedPrecondition("other-key",
                                      "signed by another key than the one given to verify with");
  }
  boost::json::object body = signed_object;
  body.erase(kSignatureField);
  body.erase(kSigningKeyField);
  SigningKey::Signature sig;
  std::copy(sig_bytes->begin(), sig_bytes->end(), sig.begin());
  if (!SigningKey::Verify(trusted, Bytes(CanonicalJson(body)), sig)) {
    return Status::DataLoss("the signature does not match the contents (edited)");
  }
  return Status::Ok();
}

}  // namespace lethe
