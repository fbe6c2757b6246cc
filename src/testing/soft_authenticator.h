// SoftAuthenticator: a WebAuthn authenticator in software, for tests. It
// holds one credential, ES256 (an OpenSSL P-256 key made at construction)
// or EdDSA (Ed25519),
// and answers as a platform authenticator would: attestation objects of
// format "none" or "packed" (self attestation) for registration, and
// signed authenticator data for sign-in, with a sign count it raises on
// each use. Its CBOR (the COSE key, the attestation object) is built with
// libcbor. Tests change what it signs (flags, RP ID, counter) to make
// answers a server must refuse.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lethe {

class SoftAuthenticator {
 public:
  static constexpr uint8_t kUserPresent = 0x01;
  static constexpr uint8_t kUserVerified = 0x04;
  static constexpr uint8_t kAttested = 0x40;

  // A credential of COSE algorithm `cose_alg`: -7 (ES256) or -8 (EdDSA).
  explicit SoftAuthenticator(int64_t cose_alg = -7);
  ~SoftAuthenticator();
  SoftAuthenticator(const SoftAuthenticator&) = delete;
  SoftAuthenticator& operator=(const SoftAuthenticator&) = delete;

  // A clientDataJSON as a browser writes it.
  static std::vector<uint8_t> ClientData(const std::string& type, const std::string& challenge,
                                         const std::string& origin);

  // The attestationObject of a new credential for `rp_id` over
  // `client_data`, in format `fmt` ("none" or "packed").
  std::vector<uint8_t> Attest(const std::string& rp_id, const std::vector<uint8_t>& client_data,
                              const std::string& fmt,
                              uint8_t flags = kUserPresent | kUserVerified | kAttested);

  struct Signed {
    std::vector<uint8_t> authenticator_data;
    std::vector<uint8_t> signature;  // DER ECDSA or raw Ed25519, as WebAuthn sends it
  };
  // An assertion for `rp_id` over `client_data`, with sign count
  // `counter` + 1 (and `counter` raised), or 0 when counts() is false.
  Signed Sign(const std::string& rp_id, const std::vector<uint8_t>& client_data,
              uint8_t flags = kUserPresent | kUserVerified);

  const std::vector<uint8_t>& credential_id() const { return credential_id_; }
  uint32_t counter = 0;
  bool counts = true;

 private:
  std::vector<uint8_t> AuthData(const std::string& rp_id, uint8_t flags, bool attested);
  std::vector<uint8_t> SignBytes(const std::vector<uint8_t>& data);

  struct Key;
  int64_t alg_;
  std::unique_ptr<Key> key_;
  std::vector<uint8_t> credential_id_;
};

}  // namespace lethe
