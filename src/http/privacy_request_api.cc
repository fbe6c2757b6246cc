#include "http/privacy_request_api.h"

#include <boost/json.hpp>

#include "common/encoding.h"
#include "common/time_format.h"
#include "http/api_support.h"

namespace lethe {
namespace {

using boost::json::array;
using boost::json::object;

object RequestView(const PrivacyRequestRecord& r) {
  object subject{{"kind", r.subject_kind}};
  if (r.subject_kind == "end_user") {
    subject["account_id"] = r.account_id;
    subject["end_user"] = r.subject;
  } else {
    subject["customer_id"] = r.subject;
  }
  object view{
      {"id", r.id},
      {"type", r.type},
      {"jurisdiction", r.jurisdiction},
      {"subject", std::move(subject)},
      {"state", r.state},
      {"received_at", FormatRfc3339(r.received_ms)},
      {"acknowledge_by", r.acknowledge_by.empty() ? boost::json::value(nullptr)
                                                  : boost::json::value(r.acknowledge_by)},
      {"due", r.due},
      {"latest_due", r.latest_due},
      {"extended", r.extended},
      {"reason", r.reason.empty() ? boost::json::value(nullptr) : boost::json::value(r.reason)},
      {"locked", r.code_failures >= PrivacyRequests::kMaxCodeFailures}};
  view["agent"] =
      r.agent_name.empty()
          ? boost::json::value(nullptr)
          : boost::json::value(object{{"name", r.agent_name},
                                      {"permission_document", !r.agent_document.empty()},
                                      {"subject_confirmed", r.subject_confirmed}});
  boost::system::error_code ec;
  boost::json::value outcome = r.outcome.empty() ? nullptr : boost::json::parse(r.outcome, ec);
  view["outcome"] = ec ? boost::json::value(nullptr) : outcome;
  return view;
}

object StepView(const PrivacyRequestStep& s) {
  return {
      {"state", s.state},
      {"at", FormatRfc3339(s.at_ms)},
      {"actor", s.actor},
      {"reason", s.reason.empty() ? boost::json::value(nullptr) : boost::json::value(s.reason)}};
}

Result<HttpResponse> Submit(PrivacyRequests& requests, HttpRequest& req, const CustomerRecord& c) {
  LETHE_ASSIGN_OR_RETURN(
      JsonFields body, JsonBody(req, {"type", "jurisdiction", "account_id", "end_user", "attested",
                                      "agent_name", "agent_document"}));
  PrivacyRequestForm form;
  form.customer_id = c.id;
  LETHE_ASSIGN_OR_RETURN(form.type, body.Required("type"));
  LETHE_ASSIGN_OR_RETURN(form.jurisdiction, body.Required("jurisdiction"));
  LETHE_ASSIGN_OR_RETURN(auto account_id, body.Optional("account_id"));
  LETHE_ASSIGN_OR_RETURN(auto end_user, body.Optional("end_user"));
  LETHE_ASSIGN_OR_RETURN(auto attested, body.OptionalBool("attested"));
  LETHE_ASSIGN_OR_RETURN(auto agent_name, body.Optional("agent_name"));
  LETHE_ASSIGN_OR_RETURN(auto agent_document, body.Optional("agent_document"));
  if (account_id.has_value() != end_user.has_value()) {
    return Status::InvalidArgument("invalid-field",
                                   "an end user's request names both account_id and end_user");
  }
  form.account_id = account_id.value_or("");
  form.end_user = end_user.value_or("");
  form.attested = attested.value_or(false);
  form.agent_name = agent_name.value_or("");
  if (agent_document) {
    auto bytes = Base64Decode(*agent_document);
    if (!bytes) return Status::InvalidArgument("invalid-field", "agent_document must be base64");
    form.agent_document.assign(bytes->begin(), bytes->end());
  }
  LETHE_ASSIGN_OR_RETURN(PrivacyRequestRecord r,
                         requests.Submit(form, Actor::Customer(c.id), OriginOf(req)));
  HttpResponse resp = HttpResponse::Json(201, RequestView(r));
  resp.SetHeader("Location", "/v1/privacy-requests/" + r.id);
  return resp;
}

Result<HttpResponse> Show(PrivacyRequests& requests, HttpRequest& req, const CustomerRecord& c) {
  LETHE_ASSIGN_OR_RETURN(PrivacyRequestRecord r, requests.Get(c.id, req.Param("id")));
  LETHE_ASSIGN_OR_RETURN(std::vector<PrivacyRequestStep> steps, requests.History(c.id, r.id));
  object view = RequestView(r);
  array history;
  for (const PrivacyRequestStep& s : steps) history.push_back(StepView(s));
  view["history"] = std::move(history);
  return HttpResponse::Json(200, view);
}

Result<HttpResponse> List(PrivacyRequests& requests, HttpRequest& req, const CustomerRecord& c) {
  LETHE_ASSIGN_OR_RETURN(std::vector<PrivacyRequestRecord> found,
                         requests.List(c.id, req.Query("due_before").value_or("")));
  array items;
  for (const PrivacyRequestRecord& r : found) items.push_back(RequestView(r));
  return HttpResponse::Json(200, object{{"items", std::move(items)}});
}

Result<HttpResponse> Verify(PrivacyRequests& requests, HttpRequest& req, const CustomerRecord& c) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"code", "subject_confirmed"}));
  VerificationForm form;
  LETHE_ASSIGN_OR_RETURN(auto code, body.Optional("code"));
  LETHE_ASSIGN_OR_RETURN(auto confirmed, body.OptionalBool("subject_confirmed"));
  form.code = code.value_or("");
  form.subject_confirmed = confirmed.value_or(false);
  LETHE_ASSIGN_OR_RETURN(
      PrivacyRequestRecord r,
      requests.Verify(c.id, req.Param("id"), form, Actor::Customer(c.id), OriginOf(req)));
  return HttpResponse::Json(200, RequestView(r));
}

Result<HttpResponse> Decide(PrivacyRequests& requests, HttpRequest& req, const CustomerRecord& c,
                            const std::string& state) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, state == "extended" ? JsonBody(req, {"reason", "due"})
                                                              : JsonBody(req, {"reason"}));
  LETHE_ASSIGN_OR_RETURN(std::string reason, body.Required("reason"));
  std::string due;
  if (state == "extended") {
    LETHE_ASSIGN_OR_RETURN(due, body.Required("due"));
  }
  LETHE_ASSIGN_OR_RETURN(PrivacyRequestRecord r,
                         requests.Transition(c.id, req.Param("id"), state, reason, due,
                                             Actor::Customer(c.id), OriginOf(req)));
  return HttpResponse::Json(200, RequestView(r));
}

Result<HttpResponse> Fulfil(RequestFulfilment& fulfilment, HttpRequest& req,
                            const CustomerRecord& c) {
  Rectification fixes;
  if (!req.body.empty()) {  // only a rectification carries a body
    LETHE_ASSIGN_OR_RETURN(JsonFields body,
                           JsonBody(req, {"media_id", "title", "tags", "name", "email", "company",
                                          "job_title", "use_case", "phone"}));
    LETHE_ASSIGN_OR_RETURN(auto media_id, body.Optional("media_id"));
    if (media_id) {
      Rectification::MediaFix fix;
      fix.media_id = *media_id;
      LETHE_ASSIGN_OR_RETURN(fix.title, body.Optional("title"));
      LETHE_ASSIGN_OR_RETURN(fix.tags, body.OptionalStrings("tags"));
      fixes.media.push_back(std::move(fix));
    } else if (body.Has("title") || body.Has("tags")) {
      return Status::InvalidArgument("invalid-field", "title and tags correct a media_id");
    }
    ProfilePatch& p = fixes.profile;
    LETHE_ASSIGN_OR_RETURN(p.name, body.Optional("name"));
    LETHE_ASSIGN_OR_RETURN(p.email, body.Optional("email"));
    LETHE_ASSIGN_OR_RETURN(p.company, body.Optional("company"));
    LETHE_ASSIGN_OR_RETURN(p.job_title, body.Optional("job_title"));
    LETHE_ASSIGN_OR_RETURN(p.use_case, body.Optional("use_case"));
    LETHE_ASSIGN_OR_RETURN(p.phone, body.Optional("phone"));
  }
  LETHE_ASSIGN_OR_RETURN(Fulfilment done, fulfilment.Fulfil(c.id, req.Param("id"), fixes,
                                                            Actor::Customer(c.id), OriginOf(req)));
  object view = RequestView(done.request);
  if (done.download) {
    // The link is shown once: the store keeps only the token's digest.
    object& download = view["outcome"].as_object()["download"].as_object();
    download["url"] = "/v1/exports/" + done.download->token;
  }
  return HttpResponse::Json(200, view);
}

}  // namespace

void AddPrivacyRequestRoutes(Router& router, PrivacyRequests& requests,
                             RequestFulfilment& fulfilment, uint64_t max_json_body) {
  const Auth kS = Auth::kSession;
  // Agent documents come base64 in the JSON body: room for 4 MiB of them.
  const uint64_t submit_body = max_json_body + (PrivacyRequests::kMaxAgentDocument / 3 + 1) * 4;
  router.Add("POST", "/v1/privacy-requests", kS, submit_body,
             [&requests](HttpRequest& req, const Caller& c) {
               return Submit(requests, req, c.customer());
             });
  router.Add(
      "GET", "/v1/privacy-requests", kS, max_json_body,
      [&requests](HttpRequest& req, const Caller& c) { return List(requests, req, c.customer()); });
  router.Add(
      "GET", "/v1/privacy-requests/{id}", kS, max_json_body,
      [&requests](HttpRequest& req, const Caller& c) { return Show(requests, req, c.customer()); });
  router.Add("POST", "/v1/privacy-requests/{id}/verify", kS, max_json_body,
             [&requests](HttpRequest& req, const Caller& c) {
               return Verify(requests, req, c.customer());
             });
  router.Add("POST", "/v1/privacy-requests/{id}/code", kS, max_json_body,
             [&requests](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               const std::string& id = c.customer().id;
               LETHE_RETURN_IF_ERROR(
                   requests.ResendCode(id, req.Param("id"), Actor::Customer(id), OriginOf(req)));
               return HttpResponse::Empty(202);
             });
  router.Add("POST", "/v1/privacy-requests/{id}/extend", kS, max_json_body,
             [&requests](HttpRequest& req, const Caller& c) {
               return Decide(requests, req, c.customer(), "extended");
             });
  router.Add("POST", "/v1/privacy-requests/{id}/deny", kS, max_json_body,
             [&requests](HttpRequest& req, const Caller& c) {
               return Decide(requests, req, c.customer(), "denied");
             });
  router.Add("POST", "/v1/privacy-requests/{id}/fulfil", kS, max_json_body,
             [&fulfilment](HttpRequest& req, const Caller& c) {
               return Fulfil(fulfilment, req, c.customer());
             });
  router.Add("POST", "/v1/privacy-requests/{id}/lift", kS, max_json_body,
             [&fulfilment](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               const std::string& id = c.customer().id;
               LETHE_ASSIGN_OR_RETURN(
                   PrivacyRequestRecord r,
                   fulfilment.Lift(id, req.Param("id"), Actor::Customer(id), OriginOf(req)));
               return HttpResponse::Json(202, RequestView(r));
             });
  router.Add("GET", "/v1/privacy-requests/{id}/agent-document", kS, max_json_body,
             [&requests](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(std::string doc,
                                      requests.AgentDocument(c.customer().id, req.Param("id")));
               HttpResponse r;
               r.status = 200;
               r.body = std::move(doc);
               r.SetHeader("Content-Type", "application/octet-stream");
               r.SetHeader("Cache-Control", "no-store");
               return r;
             });
}

}  // namespace lethe
