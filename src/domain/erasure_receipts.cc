#include "domain/erasure_receipts.h"

#include "common/time_format.h"
#include "crypto/signed_json.h"

namespace lethe {
namespace {

boost::json::value Time(const std::optional<int64_t>& ms) {
  return ms ? boost::json::value(FormatRfc3339(*ms)) : boost::json::value(nullptr);
}

}  // namespace

boost::json::object ErasureReceipts::Describe(const ErasureRecord& e) {
  boost::json::value audit = nullptr;
  if (e.audit_seq) audit = boost::json::object{{"seq", *e.audit_seq}, {"hash", e.audit_hash}};
  boost::json::object body{{"receipt", kErasureReceiptType},
                           {"id", e.id},
                           {"account_id", e.account_id},
                           {"scope", e.scope},
                           {"target", e.target},
                           {"cause", e.cause},
                           {"state", e.state},
                           {"media_erased", e.media_erased},
                           {"usage_events_deidentified", e.usage_deidentified},
                           {"requested_at", FormatRfc3339(e.created_ms)},
                           {"keys_destroyed_at", Time(e.keys_destroyed_ms)},
                           {"purged_at", Time(e.purged_ms)},
                           {"audit", std::move(audit)}};
  return body;
}

boost::json::object ErasureReceipts::Seal(const ErasureRecord& e) const {
  boost::json::object body = Describe(e);
  body["issued_at"] = FormatRfc3339(clock_.NowMillis());
  return SignJson(std::move(body), key_);
}

}  // namespace lethe
