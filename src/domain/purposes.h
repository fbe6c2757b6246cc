// Purposes (SHR-7, USE-3): what Lethe may use personal data for, each with
// its legal basis. The registry is code, not data: a new purpose is a
// reviewed change, and GET /v1/purposes serves it read-only.
//
// A purpose whose basis is consent is optional: it is off for every
// subject until the consent ledger holds an opt-in for it (marketing is
// therefore off by default for customers, ACC-5). The others (service,
// billing, security) rest on the contract, a legal obligation or a
// legitimate interest, need no opt-in, and cannot be consented to or
// refused through the ledger (an objection to a legitimate interest is a
// privacy request, processing_limits.h).
#pragma once

#include <string_view>
#include <vector>

namespace lethe {

inline constexpr std::string_view kPurposeService = "service";
inline constexpr std::string_view kPurposeBilling = "billing";
inline constexpr std::string_view kPurposeSecurity = "security";
inline constexpr std::string_view kPurposeMarketing = "marketing";
inline constexpr std::string_view kPurposeAnalytics = "analytics";
inline constexpr std::string_view kPurposeTranscription = "transcription";
inline constexpr std::string_view kPurposeThirdPartySharing = "third_party_sharing";

struct Purpose {
  std::string_view name;
  // "contract", "legal_obligation", "legitimate_interest" or "consent".
  std::string_view legal_basis;
  std::string_view description;
  // Needs an opt-in (its basis is consent).
  bool optional() const { return legal_basis == "consent"; }
};

// Every purpose, in a fixed order.
const std::vector<Purpose>& Purposes();

// The purpose named `name`, or null when there is none.
const Purpose* FindPurpose(std::string_view name);

}  // namespace lethe
