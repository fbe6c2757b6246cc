#include "http/privacy_signals.h"

#include "http/api_support.h"

namespace lethe {

std::string PrivacySignalOf(const HttpRequest& req) {
  // Both specifications define the value "1" only; anything else is no
  // signal (GPC: "Sec-GPC: 1"; DNT: "1" is opt-out, "0" consent).
  if (req.Header("sec-gpc") == "1") return "gpc";
  if (req.Header("dnt") == "1") return "dnt";
  return "";
}

Status PrivacySignals::Honour(const HttpRequest& req, const Principal& who) {
  if (req.end_user.empty()) return Status::Ok();
  std::string signal = PrivacySignalOf(req);
  if (signal.empty()) return Status::Ok();
  return StatusOf(consents_.HonourSignal(who.account.customer_id, who.account.id, req.end_user,
                                         signal, OriginOf(req)));
}

}  // namespace lethe
