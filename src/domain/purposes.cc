#include "domain/purposes.h"

namespace lethe {

const std::vector<Purpose>& Purposes() {
  static const std::vector<Purpose> kPurposes = {
      {kPurposeService, "contract", "storing and serving the customer's media and records"},
      {kPurposeBilling, "legal_obligation", "invoices and the records tax law requires"},
      {kPurposeSecurity, "legitimate_interest",
       "detecting and investigating security incidents, fraud and abuse"},
      {kPurposeMarketing, "consent", "marketing email about Lethe's products"},
      {kPurposeAnalytics, "consent", "analysing usage and media beyond serving them"},
      {kPurposeTranscription, "consent", "transcribing the speech in media"},
      {kPurposeThirdPartySharing, "consent", "sharing or selling personal data to a third party"},
  };
  return kPurposes;
}

const Purpose* FindPurpose(std::string_view name) {
  for (const Purpose& p : Purposes()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace lethe
