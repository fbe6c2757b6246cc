// CaptureConsent (issue 15; SHR-7, SEC-6): the notice an account shows its
// end users before <lethe-recorder> records them, and the consent the
// recorder records for them under an upload token.
//
// The account sets the notice (its text and the consent purposes it asks
// for) with PATCH /v1/accounts/{id}; CheckCaptureNotice says what is
// accepted. An upload token stays narrow (upload_tokens.h): besides adding
// media it may read its account's notice and record consent for its own
// end user only, for the purposes of the notice only, with the source
// "recorder". Anything else it asks is refused here, in the domain, not
// by the route: PermissionDenied("upload-token-scope") for another end
// user, InvalidArgument("purpose-not-in-notice") for a purpose the notice
// does not ask for. Each entry records the policy version in force
// (consent_ledger.h), and the entries of one answer land in one
// transaction with their audit events, read against the notice as it is
// in that transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/accounts.h"
#include "domain/consent_ledger.h"
#include "domain/policy_versions.h"
#include "domain/purposes.h"
#include "domain/request_origin.h"
#include "domain/upload_tokens.h"
#include "ports/metadata_store.h"

namespace lethe {

inline constexpr size_t kCaptureNoticeMaxBytes = 4000;

// OK for a notice the account may set: text of 1..kCaptureNoticeMaxBytes
// bytes of UTF-8 with no control characters but line breaks, and 1..7
// distinct purposes, each in the registry and based on consent.
// InvalidArgument("invalid-field") otherwise;
// ("unknown-purpose") / ("purpose-not-optional") for a bad purpose.
Status CheckCaptureNotice(const CaptureNoticeRecord& notice);

// What the recorder shows: the notice, each purpose with its description,
// and the policy version in force (0 when none is).
struct CaptureNoticeView {
  std::string account_name;
  CaptureNoticeRecord notice;
  std::vector<Purpose> purposes;  // the notice's, from the registry
  int64_t policy_version = 0;
};

// What the recorder answers for its end user.
struct CaptureDecision {
  std::string decision;                              // "opt_in" or "opt_out"
  std::optional<std::vector<std::string>> purposes;  // default: every purpose of the notice
  std::optional<std::string> end_user;               // default: the token's; another is refused
  // The request carried GPC or DNT: the end user's own standing opt-out.
  bool privacy_signal = false;
};

class CaptureConsent {
 public:
  CaptureConsent(MetadataStore& store, ConsentLedger& consents, PolicyVersions& policy)
      : store_(store), consents_(consents), policy_(policy) {}

  // The notice of `who`'s account. NotFound("capture-notice-not-set") when
  // the account has set none.
  Result<CaptureNoticeView> Notice(const Principal& who);

  // Records `d` for the end user of `grant` (the caller's upload token),
  // one entry per purpose, source "recorder", by the token's credential.
  // Returns the entries. PermissionDenied("upload-token-required") without
  // a grant (an account's own apps use POST /v1/consents); Unauthenticated
  // for a token that is spent, expired or revoked (it still opens the
  // uploads it started, not this); PermissionDenied("upload-token-scope") for an end user other
  // than the token's; InvalidArgument("purpose-not-in-notice") for a purpose the notice does not
  // ask for, or an empty list; Unprocessable
  // ("privacy-signal-on") for an opt-in, sent with a privacy signal, to a
  // purpose the signal covers; NotFound
  // ("capture-notice-not-set") when the account has no notice;
  // InvalidArgument("invalid-field") for a bad decision. Nothing is
  // recorded unless all of it is.
  Result<std::vector<ConsentRecord>> Record(const Principal& who, const UploadGrant* grant,
                                            const CaptureDecision& d, const RequestOrigin& origin);

 private:
  MetadataStore& store_;
  ConsentLedger& consents_;
  PolicyVersions& policy_;
};

}  // namespace lethe
