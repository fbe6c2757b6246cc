#include "http/capture_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/json_body.h"
#include "http/privacy_signals.h"

namespace lethe {
namespace {

using boost::json::array;
using boost::json::object;

object NoticeView(const CaptureNoticeView& v, const Caller& c) {
  array purposes;
  for (const Purpose& p : v.purposes) {
    purposes.push_back(
        object{{"name", p.name}, {"legal_basis", p.legal_basis}, {"description", p.description}});
  }
  object out{{"account_name", v.account_name},
             {"notice", v.notice.text},
             {"purposes", std::move(purposes)},
             {"policy_version", v.policy_version},
             {"policy_url", "/v1/policy"}};
  // The end user the token names: the recorder asks nobody else.
  if (const UploadGrant* grant = c.upload_grant()) out["end_user"] = grant->token.end_user;
  return out;
}

object EntryView(const ConsentRecord& r) {
  return {{"id", r.id},
          {"purpose", r.purpose},
          {"decision", r.decision},
          {"source", r.source},
          {"at", FormatRfc3339(r.at_ms)},
          {"policy_version", r.policy_version},
          {"request_id", r.request_id}};
}

Result<HttpResponse> PostConsents(CaptureConsent& capture, HttpRequest& req, const Caller& c) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"decision", "purposes", "end_user"}));
  CaptureDecision d;
  LETHE_ASSIGN_OR_RETURN(d.decision, body.Required("decision"));
  LETHE_ASSIGN_OR_RETURN(d.purposes, body.OptionalStrings("purposes"));
  LETHE_ASSIGN_OR_RETURN(d.end_user, body.Optional("end_user"));
  d.privacy_signal = !PrivacySignalOf(req).empty();
  LETHE_ASSIGN_OR_RETURN(std::vector<ConsentRecord> entries,
                         capture.Record(c.principal(), c.upload_grant(), d, OriginOf(req)));
  array items;
  for (const ConsentRecord& r : entries) items.push_back(EntryView(r));
  return HttpResponse::Json(201, object{{"items", std::move(items)}});
}

}  // namespace

void AddCaptureRoutes(Router& router, CaptureConsent& capture, uint64_t max_json_body) {
  router.Add("GET", "/v1/capture-notice", Auth::kUpload, 0,
             [&capture](HttpRequest&, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(CaptureNoticeView v, capture.Notice(c.principal()));
               HttpResponse r = HttpResponse::Json(200, NoticeView(v, c));
               r.SetHeader("Cache-Control", "no-store");
               return r;
             });
  router.Add(
      "POST", "/v1/capture-consents", Auth::kUpload, max_json_body,
      [&capture](HttpRequest& req, const Caller& c) { return PostConsents(capture, req, c); });
}

}  // namespace lethe
