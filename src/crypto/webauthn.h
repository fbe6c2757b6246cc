// WebAuthn (Level 2) verification of what a browser's authenticator hands
// back: the attestation of a new credential, and the assertion of a
// sign-in. The signatures, the authenticator data and the COSE keys are
// checked by libfido2 (fido_cred_verify, fido_cred_verify_self,
// fido_assert_verify); libcbor only splits the attestationObject into its
// fmt, authData and attStmt, since libfido2 1.12 has no
// fido_cred_set_attobj. Nothing here parses CBOR or COSE by hand.
//
// What is checked here: the signature (where the format carries one), the
// rpIdHash against SHA-256 of the RP ID, and the user-present and
// user-verified flags. What the caller checks: clientDataJSON (type,
// challenge, origin: ParseClientData gives its fields), the sign count
// against the stored one, and the credential's owner.
//
// Attestation formats: "none" (what browsers send unless asked otherwise:
// Lethe asks for none, since an attestation names the make of the
// authenticator) and "packed" (self attestation, or with an x5c whose
// signature libfido2 checks; no certificate chain is trusted or required).
// Others are refused: Lethe has no use for an authenticator's make.
//
// Keys: ES256 (-7), EdDSA (-8) and RS256 (-257), the algorithms libfido2
// 1.12 verifies.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace lethe {

inline constexpr int64_t kCoseEs256 = -7;
inline constexpr int64_t kCoseEdDsa = -8;
inline constexpr int64_t kCoseRs256 = -257;

// The fields of a clientDataJSON the relying party checks.
struct ClientData {
  std::string type;       // "webauthn.create" or "webauthn.get"
  std::string challenge;  // base64url, as the options carried it
  std::string origin;     // the page's origin
  bool cross_origin = false;
};

// Parses clientDataJSON. Unprocessable("passkey-invalid") unless it is a
// JSON object with string type, challenge and origin.
Result<ClientData> ParseClientData(std::span<const uint8_t> json);

// A credential that an attestation vouched for.
struct AttestedCredential {
  std::vector<uint8_t> credential_id;
  int64_t cose_alg = 0;
  std::vector<uint8_t> public_key;  // libfido2's raw form (ES256: x || y)
  uint32_t sign_count = 0;
  std::string fmt;
};

// Verifies a registration: `attestation_object` (CBOR, as
// AuthenticatorAttestationResponse.attestationObject) for a credential of
// RP ID `rp_id`, made over `client_data_json`, with user presence and
// user verification. Returns the credential; Unprocessable
// ("passkey-invalid") for a malformed object, an unsupported format or
// key, a wrong rpIdHash, missing flags or a bad signature.
Result<AttestedCredential> VerifyAttestation(std::span<const uint8_t> attestation_object,
                                             std::span<const uint8_t> client_data_json,
                                             const std::string& rp_id);

// Verifies a sign-in: `signature` over `authenticator_data` and
// SHA-256(`client_data_json`) by the key `public_key` of algorithm
// `cose_alg`, for RP ID `rp_id`, with user presence and user verification.
// Returns the authenticator's sign count; Unprocessable("passkey-invalid")
// otherwise.
Result<uint32_t> VerifyAssertion(int64_t cose_alg, std::span<const uint8_t> public_key,
                                 std::span<const uint8_t> authenticator_data,
                                 std::span<const uint8_t> client_data_json,
                                 std::span<const uint8_t> signature, const std::string& rp_id);

}  // namespace lethe
