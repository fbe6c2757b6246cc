#include "domain/capture_consent.h"

#include <algorithm>

#include "common/utf8.h"
#include "domain/purposes.h"

namespace lethe {
namespace {

Status NotSet() {
  return Status(Status::Code::kNotFound, "capture-notice-not-set",
                "this account has set no capture notice (PATCH /v1/accounts/{id} "
                "capture_notice and capture_purposes): the recorder cannot ask for consent");
}

bool HasControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\n') || c == 0x7f;
  });
}

}  // namespace

Status CheckCaptureNotice(const CaptureNoticeRecord& notice) {
  if (notice.text.empty() || notice.text.size() > kCaptureNoticeMaxBytes ||
      !IsValidUtf8(notice.text) || HasControl(notice.text)) {
    return Status::InvalidArgument("invalid-field",
                                   "capture_notice must be 1 to 4000 bytes of UTF-8 text");
  }
  if (notice.purposes.empty() || notice.purposes.size() > Purposes().size()) {
    return Status::InvalidArgument("invalid-field",
                                   "capture_purposes names the consent purposes the recorder asks "
                                   "for: at least one");
  }
  for (size_t i = 0; i < notice.purposes.size(); ++i) {
    const Purpose* p = FindPurpose(notice.purposes[i]);
    if (p == nullptr) {
      return Status::InvalidArgument("unknown-purpose",
                                     "no such purpose; GET /v1/purposes lists them");
    }
    if (!p->optional()) {
      return Status::InvalidArgument("purpose-not-optional",
                                     "the recorder asks consent only for purposes based on it");
    }
    if (std::find(notice.purposes.begin(), notice.purposes.begin() + i, notice.purposes[i]) !=
        notice.purposes.begin() + i) {
      return Status::InvalidArgument("invalid-field", "capture_purposes names a purpose twice");
    }
  }
  return Status::Ok();
}

Result<CaptureNoticeView> CaptureConsent::Notice(const Principal& who) {
  LETHE_ASSIGN_OR_RETURN(CaptureNoticeRecord notice, store_.FindCaptureNotice(who.account.id));
  if (notice.text.empty()) return NotSet();
  CaptureNoticeView view;
  view.account_name = who.account.name;
  for (const std::string& name : notice.purposes) {
    if (const Purpose* p = FindPurpose(name)) view.purposes.push_back(*p);
  }
  view.notice = std::move(notice);
  Result<PolicyVersionRecord> current = policy_.Current();
  if (current.ok()) {
    view.policy_version = current->version;
  } else if (current.status().code() != Status::Code::kNotFound) {
    return current.status();
  }
  return view;
}

Result<std::vector<ConsentRecord>> CaptureConsent::Record(const Principal& who,
                                                          const UploadGrant* grant,
                                                          const CaptureDecision& d,
                                                          const RequestOrigin& origin) {
  if (grant == nullptr) {
    return Status(Status::Code::kPermissionDenied, "upload-token-required",
                  "this route records an upload token's end user's consent; an account's "
                  "apps use POST /v1/consents");
  }
  // A spent, expired or revoked token still opens the tus uploads it
  // started (upload_tokens.h), but it speaks for its end user no more.
  if (grant->token.uses_left < 1) {
    return Status::Unauthenticated("this upload token is spent, expired or revoked");
  }
  const std::string& end_user = grant->token.end_user;
  // Compared as given: the token names exactly one end user.
  if (d.end_user && *d.end_user != end_user) {
    return Status(Status::Code::kPermissionDenied, "upload-token-scope",
                  "an upload token records consent for its own end user only");
  }
  if (d.decision != "opt_in" && d.decision != "opt_out") {
    return Status::InvalidArgument("invalid-field", "decision must be opt_in or opt_out");
  }
  std::vector<ConsentRecord> out;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    out.clear();
    LETHE_ASSIGN_OR_RETURN(CaptureNoticeRecord notice, tx.FindCaptureNotice(who.account.id));
    if (notice.text.empty()) return NotSet();
    std::vector<std::string> purposes = d.purposes.value_or(notice.purposes);
    if (purposes.empty()) {
      return Status::InvalidArgument("purpose-not-in-notice", "name at least one purpose");
    }
    for (const std::string& p : purposes) {
      if (std::find(notice.purposes.begin(), notice.purposes.end(), p) == notice.purposes.end()) {
        return Status::InvalidArgument(
            "purpose-not-in-notice",
            "an upload token records consent only for the purposes of its account's notice");
      }
    }
    if (d.decision == "opt_in" && d.privacy_signal &&
        std::any_of(purposes.begin(), purposes.end(), CoveredByPrivacySignal)) {
      return PrivacySignalRefusal();
    }
    for (const std::string& p : purposes) {
      ConsentEntry e{who.account.customer_id, who.account.id, end_user, p, d.decision, "recorder"};
      LETHE_ASSIGN_OR_RETURN(ConsentRecord r, consents_.RecordIn(tx, e, who.actor(), origin));
      out.push_back(std::move(r));
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace lethe
