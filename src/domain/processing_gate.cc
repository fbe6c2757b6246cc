#include "domain/processing_gate.h"

#include <array>
#include <utility>

#include "domain/purposes.h"

namespace lethe {

namespace {

struct LimitRule {
  std::string_view kind;
  std::array<bool, 5> refuses;  // indexed by ProcessingUse
};

// Columns: stream, share_link, third_party_export, processing,
// controller_delivery.
constexpr std::array<LimitRule, 4> kRules = {{
    {"restriction", {true, true, true, true, true}},
    {"objection", {false, false, true, true, false}},
    {"opt_out_of_sale_or_sharing", {false, false, true, false, false}},
    {"limit_sensitive", {false, false, false, true, false}},
}};

}  // namespace

std::string_view ProcessingUseName(ProcessingUse use) {
  switch (use) {
    case ProcessingUse::kStream:
      return "stream";
    case ProcessingUse::kShareLink:
      return "share_link";
    case ProcessingUse::kThirdPartyExport:
      return "third_party_export";
    case ProcessingUse::kProcessing:
      return "processing";
    case ProcessingUse::kControllerDelivery:
      return "controller_delivery";
  }
  return "processing";
}

bool LimitRefuses(std::string_view kind, ProcessingUse use) {
  for (const LimitRule& rule : kRules) {
    if (rule.kind == kind) return rule.refuses[static_cast<size_t>(use)];
  }
  return true;  // an unknown limit refuses everything rather than nothing
}

bool IsLimitingRequestType(std::string_view type) {
  for (const LimitRule& rule : kRules) {
    if (rule.kind == type) return true;
  }
  return false;
}

std::string_view DefaultPurposeOf(ProcessingUse use) {
  switch (use) {
    case ProcessingUse::kStream:
    case ProcessingUse::kShareLink:
    case ProcessingUse::kControllerDelivery:
      return kPurposeService;
    case ProcessingUse::kThirdPartyExport:
      return kPurposeThirdPartySharing;
    case ProcessingUse::kProcessing:
      return kPurposeAnalytics;
  }
  return kPurposeAnalytics;
}

Status ProcessingGate::Admit(const std::string& account_id, const std::string& end_user,
                             ProcessingUse use) {
  return Admit(account_id, end_user, use, DefaultPurposeOf(use));
}

Status ProcessingGate::Admit(const std::string& account_id, const std::string& end_user,
                             ProcessingUse use, std::string_view purpose) {
  if (FindPurpose(purpose) == nullptr) {
    return Status::InvalidArgument("unknown-purpose", "no such purpose");
  }
  if (end_user.empty()) return Status::Ok();
  LETHE_ASSIGN_OR_RETURN(std::vector<ProcessingLimitRecord> limits,
                         store_.ListProcessingLimits(account_id, end_user));
  for (const ProcessingLimitRecord& l : limits) {
    if (LimitRefuses(l.kind, use)) {
      return Status(Status::Code::kPermissionDenied, "processing-restricted",
                    "the end user's data is under a " + l.kind + " (request " + l.request_id +
                        "): " + std::string(ProcessingUseName(use)) + " is refused");
    }
  }
  // Optional uses need an opt-in for their purpose (USE-3, SHR-7).
  if (use == ProcessingUse::kProcessing || use == ProcessingUse::kThirdPartyExport) {
    LETHE_ASSIGN_OR_RETURN(bool allowed,
                           consents_.Allows(consents_.EndUser(account_id, end_user), purpose));
    if (!allowed) {
      return Status(Status::Code::kPermissionDenied, "consent-required",
                    "the end user has not opted in to " + std::string(purpose) +
                        " (or must renew it under the current policy): " +
                        std::string(ProcessingUseName(use)) + " is refused");
    }
  }
  return Status::Ok();
}

}  // namespace lethe
