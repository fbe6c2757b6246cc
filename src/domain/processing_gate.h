// ProcessingGate: the one place that decides whether a subject's data may
// be used beyond being stored (RGT-1 restriction and objection, RGT-3
// opt-outs). Every path that uses media for more than keeping it asks the
// gate first: streaming its content, issuing a shareable link, exporting it
// to a third party, processing it (posters, transcripts). A privacy request
// places the limits (processing_limits.h); the gate only reads them, from
// the store on every call, so a limit placed on one server holds on all.
//
// What each limit refuses:
//   restriction (GDPR Art. 18)        every use, delivery to the customer too:
//                                     the data is store-only
//   objection (GDPR Art. 21)          processing and third-party exports
//   opt_out_of_sale_or_sharing (CCPA) third-party exports
//   limit_sensitive (CCPA)            processing
//
// Beyond the limits, optional uses need consent (USE-3, SHR-7): processing
// and third-party exports of an end user's data are allowed only with a
// current opt-in, in the consent ledger, for their purpose (purposes.h):
// third_party_sharing for an export, the named purpose (transcription,
// analytics) for processing. Limits are asked first: a restriction
// refuses whatever the consents say. Streaming and links serve the
// service the customer contracted for and need no consent.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "domain/consent_ledger.h"
#include "ports/metadata_store.h"

namespace lethe {

// kControllerDelivery: data about an end user sent back to the customer
// (its controller) at an endpoint the customer registered, such as a
// webhook. Not a disclosure to a third party, so no opt-out or consent
// stops it; a restriction (store-only) does.
enum class ProcessingUse {
  kStream,
  kShareLink,
  kThirdPartyExport,
  kProcessing,
  kControllerDelivery
};

// "stream", "share_link", "third_party_export", "processing",
// "controller_delivery".
std::string_view ProcessingUseName(ProcessingUse use);

// True when a limit of `kind` refuses `use`.
bool LimitRefuses(std::string_view kind, ProcessingUse use);

// True for the request types that place a limit.
bool IsLimitingRequestType(std::string_view type);

// The purpose a use serves when the caller names none: "service" for
// streaming and links, "third_party_sharing" for exports, "analytics" for
// processing (the broadest optional processing purpose).
std::string_view DefaultPurposeOf(ProcessingUse use);

class ProcessingGate {
 public:
  ProcessingGate(MetadataReader& store, const ConsentLedger& consents)
      : store_(store), consents_(consents) {}

  // OK when `use` of the data of end user `end_user` of `account_id` is
  // allowed (always, for media without an end user: that is the
  // customer's own data, used as the customer asks). PermissionDenied with
  // reason "processing-restricted", naming the limit and the use, when a
  // limit refuses it; PermissionDenied("consent-required") when the use
  // needs an opt-in for DefaultPurposeOf(use) that the end user has not
  // given (or must renew, SEC-6); the store's error when the limits or
  // consents cannot be read (a use is never allowed by default).
  Status Admit(const std::string& account_id, const std::string& end_user, ProcessingUse use);
  // The same for a use serving `purpose` (e.g. kProcessing for
  // "transcription"); InvalidArgument("unknown-purpose") for a purpose not
  // in the registry.
  Status Admit(const std::string& account_id, const std::string& end_user, ProcessingUse use,
               std::string_view purpose);

 private:
  MetadataReader& store_;
  const ConsentLedger& consents_;
};

}  // namespace lethe
