// ProcessingGate: the one place that decides whether a subject's data may
// be used beyond being stored (RGT-1 restriction and objection, RGT-3
// opt-outs). Every path that uses media for more than keeping it asks the
// gate first: streaming its content, issuing a shareable link, exporting it
// to a third party, processing it (posters, transcripts). A privacy request
// places the limits (processing_limits.h); the gate only reads them, from
// the store on every call, so a limit placed on one server holds on all.
//
// What each limit refuses:
//   restriction (GDPR Art. 18)        every use: the data is store-only
//   objection (GDPR Art. 21)          processing and third-party exports
//   opt_out_of_sale_or_sharing (CCPA) third-party exports
//   limit_sensitive (CCPA)            processing
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "ports/metadata_store.h"

namespace lethe {

enum class ProcessingUse { kStream, kShareLink, kThirdPartyExport, kProcessing };

// "stream", "share_link", "third_party_export", "processing".
std::string_view ProcessingUseName(ProcessingUse use);

// True when a limit of `kind` refuses `use`.
bool LimitRefuses(std::string_view kind, ProcessingUse use);

// True for the request types that place a limit.
bool IsLimitingRequestType(std::string_view type);

class ProcessingGate {
 public:
  explicit ProcessingGate(MetadataReader& store) : store_(store) {}

  // OK when `use` of the data of end user `end_user` of `account_id` is
  // allowed (always, for media without an end user). PermissionDenied with
  // reason "processing-restricted", naming the limit and the use, when a
  // limit refuses it; the store's error when the limits cannot be read (a
  // use is never allowed by default).
  Status Admit(const std::string& account_id, const std::string& end_user, ProcessingUse use);

 private:
  MetadataReader& store_;
};

}  // namespace lethe
