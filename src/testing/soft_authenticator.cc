#include "testing/soft_authenticator.h"

#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace lethe {
namespace {

std::vector<uint8_t> Sha256(const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out(32);
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::vector<uint8_t> Serialize(cbor_item_t* item) {
  unsigned char* buffer = nullptr;
  size_t capacity = 0;
  size_t len = cbor_serialize_alloc(item, &buffer, &capacity);
  std::vector<uint8_t> out(buffer, buffer + len);
  free(buffer);
  cbor_decref(&item);
  return out;
}

void Add(cbor_item_t* map, cbor_item_t* key, cbor_item_t* value) {
  cbor_map_add(map, cbor_pair{cbor_move(key), cbor_move(value)});
}

}  // namespace

struct SoftAuthenticator::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

SoftAuthenticator::SoftAuthenticator(int64_t cose_alg)
    : alg_(cose_alg), key_(std::make_unique<Key>()) {
  key_->pkey = alg_ == -8 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                          : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key_->pkey == nullptr) throw std::runtime_error("key generation failed");
  credential_id_.resize(16);
  RAND_bytes(credential_id_.data(), static_cast<int>(credential_id_.size()));
}

SoftAuthenticator::~SoftAuthenticator() = default;

std::vector<uint8_t> SoftAuthenticator::ClientData(const std::string& type,
                                                   const std::string& challenge,
                                                   const std::string& origin) {
  std::string json = "{\"type\":\"" + type + "\",\"challenge\":\"" + challenge +
                     "\",\"origin\":\"" + origin + "\",\"crossOrigin\":false}";
  return {json.begin(), json.end()};
}

std::vector<uint8_t> SoftAuthenticator::AuthData(const std::string& rp_id, uint8_t flags,
                                                 bool attested) {
  std::vector<uint8_t> out = Sha256(std::vector<uint8_t>(rp_id.begin(), rp_id.end()));
  out.push_back(flags);
  uint32_t count = 0;
  if (counts && !attested) count = ++counter;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(count >> shift));
  if (!attested) return out;
  out.insert(out.end(), 16, 0);  // AAGUID: none
  out.push_back(static_cast<uint8_t>(credential_id_.size() >> 8));
  out.push_back(static_cast<uint8_t>(credential_id_.size()));
  out.insert(out.end(), credential_id_.begin(), credential_id_.end());
  // The public key as a COSE_Key (RFC 8152): EC2, ES256, P-256, x, y; or
  // OKP, EdDSA, Ed25519, x.
  uint8_t point[65];
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(key_->pkey, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &len);
  cbor_item_t* cose;
  if (alg_ == -8) {
    cose = cbor_new_definite_map(4);
    Add(cose, cbor_build_uint8(1), cbor_build_uint8(1));
    Add(cose, cbor_build_uint8(3), cbor_build_negint8(7));                // -8
    Add(cose, cbor_build_negint8(0), cbor_build_uint8(6));                // -1: crv Ed25519
    Add(cose, cbor_build_negint8(1), cbor_build_bytestring(point, len));  // -2: x
  } else {
    cose = cbor_new_definite_map(5);
    Add(cose, cbor_build_uint8(1), cbor_build_uint8(2));
    Add(cose, cbor_build_uint8(3), cbor_build_negint8(6));                    // -7
    Add(cose, cbor_build_negint8(0), cbor_build_uint8(1));                    // -1: crv P-256
    Add(cose, cbor_build_negint8(1), cbor_build_bytestring(point + 1, 32));   // -2: x
    Add(cose, cbor_build_negint8(2), cbor_build_bytestring(point + 33, 32));  // -3: y
  }
  std::vector<uint8_t> key = Serialize(cose);
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

std::vector<uint8_t> SoftAuthenticator::SignBytes(const std::vector<uint8_t>& data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::vector<uint8_t> sig;
  // Ed25519 hashes inside the signature: no digest is named for it.
  const EVP_MD* md = alg_ == -8 ? nullptr : EVP_sha256();
  if (EVP_DigestSignInit(ctx, nullptr, md, nullptr, key_->pkey) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, data.data(), data.size()) == 1) {
    sig.resize(len);
    if (EVP_DigestSign(ctx, sig.data(), &len, data.data(), data.size()) == 1) sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  return sig;
}

std::vector<uint8_t> SoftAuthenticator::Attest(const std::string& rp_id,
                                               const std::vector<uint8_t>& client_data,
                                               const std::string& fmt, uint8_t flags) {
  std::vector<uint8_t> auth = AuthData(rp_id, flags, true);
  cbor_item_t* stmt;
  if (fmt == "packed") {
    std::vector<uint8_t> signed_bytes = auth;
    std::vector<uint8_t> cdh = Sha256(client_data);
    signed_bytes.insert(signed_bytes.end(), cdh.begin(), cdh.end());
    std::vector<uint8_t> sig = SignBytes(signed_bytes);
    stmt = cbor_new_definite_map(2);
    Add(stmt, cbor_build_string("alg"), cbor_build_negint8(static_cast<uint8_t>(-1 - alg_)));
    Add(stmt, cbor_build_string("sig"), cbor_build_bytestring(sig.data(), sig.size()));
  } else {
    stmt = cbor_new_definite_map(0);
  }
  cbor_item_t* obj = cbor_new_definite_map(3);
  Add(obj, cbor_build_string("fmt"), cbor_build_string(fmt.c_str()));
  Add(obj, cbor_build_string("attStmt"), stmt);
  Add(obj, cbor_build_string("authData"), cbor_build_bytestring(auth.data(), auth.size()));
  return Serialize(obj);
}

SoftAuthenticator::Signed SoftAuthenticator::Sign(const std::string& rp_id,
                                                  const std::vector<uint8_t>& client_data,
                                                  uint8_t flags) {
  Signed out;
  out.authenticator_data = AuthData(rp_id, flags, false);
  std::vector<uint8_t> signed_bytes = out.authenticator_data;
  std::vector<uint8_t> cdh = Sha256(client_data);
  signed_bytes.insert(signed_bytes.end(), cdh.begin(), cdh.end());
  out.signature = SignBytes(signed_bytes);
  return out;
}

}  // namespace lethe
