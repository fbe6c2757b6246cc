#include "crypto/webauthn.h"

#include <cbor.h>
#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <utility>

namespace lethe {
namespace {

// Bits of the authenticator data's flags byte (WebAuthn 6.1).
constexpr uint8_t kUserPresent = 0x01;
constexpr uint8_t kUserVerified = 0x04;
constexpr size_t kRpIdHashBytes = 32;

Status Invalid(std::string msg) { return Status::Unprocessable("passkey-invalid", std::move(msg)); }

Status FidoError(const char* what, int r) {
  return Invalid(std::string(what) + ": " + fido_strerr(r));
}

struct CborFree {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using CborItem = std::unique_ptr<cbor_item_t, CborFree>;

struct CredFree {
  void operator()(fido_cred_t* c) const { fido_cred_free(&c); }
};
struct AssertFree {
  void operator()(fido_assert_t* a) const { fido_assert_free(&a); }
};

std::optional<std::vector<uint8_t>> Sha256(std::span<const uint8_t> data) {
  std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The three members of an attestationObject (WebAuthn 6.5.4).
struct AttestationParts {
  std::string fmt;
  std::vector<uint8_t> auth_data;
  std::vector<uint8_t> att_stmt;  // the attStmt map, CBOR-encoded again
  size_t att_stmt_size = 0;       // its number of entries
};

Result<AttestationParts> SplitAttestationObject(std::span<const uint8_t> object) {
  struct cbor_load_result loaded;
  CborItem root(cbor_load(object.data(), object.size(), &loaded));
  if (!root || loaded.error.code != CBOR_ERR_NONE || loaded.read != object.size()) {
    return Invalid("the attestationObject is not one CBOR item");
  }
  if (!cbor_isa_map(root.get()) || !cbor_map_is_definite(root.get())) {
    return Invalid("the attestationObject is not a map");
  }
  AttestationParts parts;
  bool fmt = false, auth = false, stmt = false;
  cbor_pair* pairs = cbor_map_handle(root.get());
  for (size_t i = 0; i < cbor_map_size(root.get()); ++i) {
    cbor_item_t* key = pairs[i].key;
    cbor_item_t* value = pairs[i].value;
    if (!cbor_isa_string(key) || !cbor_string_is_definite(key)) continue;
    std::string name(reinterpret_cast<const char*>(cbor_string_handle(key)),
                     cbor_string_length(key));
    if (name == "fmt" && cbor_isa_string(value) && cbor_string_is_definite(value)) {
      parts.fmt.assign(reinterpret_cast<const char*>(cbor_string_handle(value)),
                       cbor_string_length(value));
      fmt = true;
    } else if (name == "authData" && cbor_isa_bytestring(value) &&
               cbor_bytestring_is_definite(value)) {
      const uint8_t* p = cbor_bytestring_handle(value);
      parts.auth_data.assign(p, p + cbor_bytestring_length(value));
      auth = true;
    } else if (name == "attStmt" && cbor_isa_map(value)) {
      unsigned char* buffer = nullptr;
      size_t capacity = 0;
      size_t len = cbor_serialize_alloc(value, &buffer, &capacity);
      if (len == 0) {
        free(buffer);
        return Invalid("the attStmt does not encode");
      }
      parts.att_stmt.assign(buffer, buffer + len);
      free(buffer);
      parts.att_stmt_size = cbor_map_size(value);
      stmt = true;
    }
  }
  if (!fmt || !auth || !stmt)
    return Invalid("the attestationObject lacks fmt, authData or attStmt");
  return parts;
}

using Cred = std::unique_ptr<fido_cred_t, CredFree>;

// A credential holding the raw authenticator data, of the algorithm its key
// has: libfido2 decodes the COSE key only as the type set, and a type once
// set does not change, so each algorithm Lethe takes gets a fresh one.
Result<std::pair<Cred, int64_t>> LoadAuthData(const std::vector<uint8_t>& auth_data) {
  int last = FIDO_ERR_INVALID_ARGUMENT;
  for (int64_t alg : {kCoseEs256, kCoseEdDsa, kCoseRs256}) {
    Cred cred(fido_cred_new());
    if (!cred) return Status::Internal("fido_cred_new failed");
    int r = fido_cred_set_type(cred.get(), static_cast<int>(alg));
    if (r != FIDO_OK) return FidoError("credential type", r);
    last = fido_cred_set_authdata_raw(cred.get(), auth_data.data(), auth_data.size());
    if (last == FIDO_OK) return std::pair<Cred, int64_t>(std::move(cred), alg);
  }
  return FidoError("authenticator data (or a key of another algorithm)", last);
}

}  // namespace

Result<ClientData> ParseClientData(std::span<const uint8_t> json) {
  const Status bad = Status::Unprocessable("passkey-invalid", "clientDataJSON is not valid");
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(
      std::string_view(reinterpret_cast<const char*>(json.data()), json.size()), ec);
  if (ec || !v.is_object()) return bad;
  const boost::json::object& o = v.as_object();
  auto text = [&](const char* key) -> std::optional<std::string> {
    const boost::json::value* f = o.if_contains(key);
    if (!f || !f->is_string()) return std::nullopt;
    return std::string(f->as_string());
  };
  auto type = text("type"), challenge = text("challenge"), origin = text("origin");
  if (!type || !challenge || !origin) return bad;
  ClientData out{*type, *challenge, *origin, false};
  if (const boost::json::value* c = o.if_contains("crossOrigin")) {
    if (!c->is_bool()) return bad;
    out.cross_origin = c->as_bool();
  }
  return out;
}

Result<AttestedCredential> VerifyAttestation(std::span<const uint8_t> attestation_object,
                                             std::span<const uint8_t> client_data_json,
                                             const std::string& rp_id) {
  LETHE_ASSIGN_OR_RETURN(AttestationParts parts, SplitAttestationObject(attestation_object));
  LETHE_ASSIGN_OR_RETURN(auto loaded, LoadAuthData(parts.auth_data));
  Cred cred = std::move(loaded.first);
  const int64_t alg = loaded.second;
  int r = fido_cred_set_clientdata(cred.get(), client_data_json.data(), client_data_json.size());
  if (r != FIDO_OK) return FidoError("clientDataJSON", r);
  if ((r = fido_cred_set_rp(cred.get(), rp_id.c_str(), nullptr)) != FIDO_OK) {
    return FidoError("RP ID", r);
  }
  if ((r = fido_cred_set_uv(cred.get(), FIDO_OPT_TRUE)) != FIDO_OK) return FidoError("uv", r);

  if (parts.fmt == "none") {
    // No signature to check (WebAuthn 8.7): the challenge in the client
    // data, checked by the caller, is what binds this credential to the
    // ceremony. libfido2 verifies no "none" statement, so the rpIdHash (the
    // first 32 bytes of authData, a fixed layout) and the flags are
    // compared here.
    if (parts.att_stmt_size != 0) return Invalid("a \"none\" attestation carries a statement");
    auto want = Sha256(Bytes(rp_id));
    if (!want) return Status::Internal("SHA-256 failed");
    if (parts.auth_data.size() < kRpIdHashBytes ||
        CRYPTO_memcmp(parts.auth_data.data(), want->data(), kRpIdHashBytes) != 0) {
      return Invalid("the rpIdHash is not this server's RP ID");
    }
    const uint8_t flags = fido_cred_flags(cred.get());
    if (!(flags & kUserPresent) || !(flags & kUserVerified)) {
      return Invalid("the authenticator did not verify the user");
    }
  } else if (parts.fmt == "packed") {
    if ((r = fido_cred_set_fmt(cred.get(), "packed")) != FIDO_OK) return FidoError("fmt", r);
    if ((r = fido_cred_set_attstmt(cred.get(), parts.att_stmt.data(), parts.att_stmt.size())) !=
        FIDO_OK) {
      return FidoError("attStmt", r);
    }
    // With an x5c the statement is signed by an attestation key (its chain
    // is not trusted, only checked for the signature); without, by the
    // credential's own key (self attestation).
    r = fido_cred_x5c_ptr(cred.get()) != nullptr ? fido_cred_verify(cred.get())
                                                 : fido_cred_verify_self(cred.get());
    if (r != FIDO_OK) return FidoError("attestation", r);
  } else {
    return Invalid("attestation format \"" + parts.fmt + "\" is not taken");
  }

  AttestedCredential out;
  const unsigned char* id = fido_cred_id_ptr(cred.get());
  const unsigned char* key = fido_cred_pubkey_ptr(cred.get());
  if (id == nullptr || key == nullptr) return Invalid("the authenticator data holds no credential");
  out.credential_id.assign(id, id + fido_cred_id_len(cred.get()));
  out.public_key.assign(key, key + fido_cred_pubkey_len(cred.get()));
  out.cose_alg = alg;
  out.sign_count = fido_cred_sigcount(cred.get());
  out.fmt = parts.fmt;
  return out;
}

Result<uint32_t> VerifyAssertion(int64_t cose_alg, std::span<const uint8_t> public_key,
                                 std::span<const uint8_t> authenticator_data,
                                 std::span<const uint8_t> client_data_json,
                                 std::span<const uint8_t> signature, const std::string& rp_id) {
  std::unique_ptr<fido_assert_t, AssertFree> a(fido_assert_new());
  if (!a) return Status::Internal("fido_assert_new failed");
  int r = fido_assert_set_count(a.get(), 1);
  if (r == FIDO_OK) r = fido_assert_set_rp(a.get(), rp_id.c_str());
  if (r == FIDO_OK) {
    r = fido_assert_set_clientdata(a.get(), client_data_json.data(), client_data_json.size());
  }
  if (r == FIDO_OK) r = fido_assert_set_up(a.get(), FIDO_OPT_TRUE);
  if (r == FIDO_OK) r = fido_assert_set_uv(a.get(), FIDO_OPT_TRUE);
  if (r != FIDO_OK) return FidoError("assertion", r);
  if (authenticator_data.empty() ||
      (r = fido_assert_set_authdata_raw(a.get(), 0, authenticator_data.data(),
                                        authenticator_data.size())) != FIDO_OK) {
    return FidoError("authenticator data", r == FIDO_OK ? FIDO_ERR_INVALID_ARGUMENT : r);
  }
  if (signature.empty() ||
      (r = fido_assert_set_sig(a.get(), 0, signature.data(), signature.size())) != FIDO_OK) {
    return FidoError("signature", r == FIDO_OK ? FIDO_ERR_INVALID_ARGUMENT : r);
  }
  switch (cose_alg) {
    case kCoseEs256: {
      es256_pk_t* pk = es256_pk_new();
      r = pk ? es256_pk_from_ptr(pk, public_key.data(), public_key.size()) : FIDO_ERR_INTERNAL;
      if (r == FIDO_OK) r = fido_assert_verify(a.get(), 0, COSE_ES256, pk);
      es256_pk_free(&pk);
      break;
    }
    case kCoseEdDsa: {
      eddsa_pk_t* pk = eddsa_pk_new();
      r = pk ? eddsa_pk_from_ptr(pk, public_key.data(), public_key.size()) : FIDO_ERR_INTERNAL;
      if (r == FIDO_OK) r = fido_assert_verify(a.get(), 0, COSE_EDDSA, pk);
      eddsa_pk_free(&pk);
      break;
    }
    case kCoseRs256: {
      rs256_pk_t* pk = rs256_pk_new();
      r = pk ? rs256_pk_from_ptr(pk, public_key.data(), public_key.size()) : FIDO_ERR_INTERNAL;
      if (r == FIDO_OK) r = fido_assert_verify(a.get(), 0, COSE_RS256, pk);
      rs256_pk_free(&pk);
      break;
    }
    default:
      return Invalid("the stored key's algorithm is not taken");
  }
  if (r != FIDO_OK) return FidoError("assertion", r);
  return fido_assert_sigcount(a.get(), 0);
}

}  // namespace lethe
