#include "http/consent_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "domain/purposes.h"
#include "http/api_support.h"

namespace lethe {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

object EntryView(const ConsentRecord& c) {
  return {{"id", c.id},
          {"purpose", c.purpose},
          {"decision", c.decision},
          {"source", c.source},
          {"at", FormatRfc3339(c.at_ms)},
          {"policy_version", c.policy_version},
          {"request_id", c.request_id}};
}

object StatusView(const ConsentStatus& s, const std::string& account_id,
                  const std::string& end_user) {
  object subject;
  if (account_id.empty()) {
    subject = {{"kind", "customer"}, {"customer_id", s.subject}};
  } else {
    subject = {{"kind", "end_user"}, {"account_id", account_id}, {"end_user", end_user}};
  }
  boost::json::array purposes = PurposeStatesView(s);
  array history;
  for (const ConsentRecord& c : s.history) history.push_back(EntryView(c));
  return {{"subject", std::move(subject)},
          {"policy_version", s.policy_version},
          {"purposes", std::move(purposes)},
          {"history", std::move(history)}};
}

object PolicyView(const PolicyVersionRecord& v, bool with_text) {
  object o{{"version", v.version},
           {"effective", FormatRfc3339(v.effective_ms).substr(0, 10)},
           {"material", v.material},
           {"published_at", FormatRfc3339(v.published_ms)}};
  if (with_text) o["text"] = v.text;
  return o;
}

// Whose consents a request is about: {account_id, end_user}, account ""
// for the customer itself. A customer names an end user with account_id
// and end_user, or itself (subject = its id, or nothing); an account's app
// names an end user of its own account.
struct Subject {
  std::string customer_id;
  std::string account_id;
  std::string end_user;
};

Result<Subject> SubjectOf(const Caller& c, std::optional<std::string> subject,
                          std::optional<std::string> account_id,
                          std::optional<std::string> end_user) {
  if (c.is_principal()) {
    const AccountRecord& a = c.principal().account;
    if (!end_user || end_user->empty()) {
      return Status::InvalidArgument("invalid-field", "an account's consents name an end_user");
    }
    if (subject || (account_id && *account_id != a.id)) {
      return Status::NotFound("no such subject for this account");
    }
    return Subject{a.customer_id, a.id, *end_user};
  }
  const CustomerRecord& customer = c.customer();
  if (account_id.has_value() != end_user.has_value()) {
    return Status::InvalidArgument("invalid-field",
                                   "an end user is named by account_id and end_user");
  }
  if (account_id) {
    if (subject) return Status::InvalidArgument("invalid-field", "subject or end_user, not both");
    return Subject{customer.id, *account_id, *end_user};
  }
  // Another customer's id is simply not a subject this caller can see.
  if (subject && *subject != customer.id) return Status::NotFound("no such subject");
  return Subject{customer.id, "", ""};
}

Result<HttpResponse> Post(ConsentLedger& consents, PrivacySignals& signals, HttpRequest& req,
                          const Caller& c) {
  LETHE_ASSIGN_OR_RETURN(
      JsonFields body, JsonBody(req, {"purpose", "decision", "subject", "account_id", "end_user"}));
  LETHE_ASSIGN_OR_RETURN(std::string purpose, body.Required("purpose"));
  LETHE_ASSIGN_OR_RETURN(std::string decision, body.Required("decision"));
  LETHE_ASSIGN_OR_RETURN(auto subject_field, body.Optional("subject"));
  LETHE_ASSIGN_OR_RETURN(auto account_id, body.Optional("account_id"));
  LETHE_ASSIGN_OR_RETURN(auto end_user, body.Optional("end_user"));
  LETHE_ASSIGN_OR_RETURN(Subject s, SubjectOf(c, subject_field, account_id, end_user));
  if (c.is_principal()) {
    // The end user is named in the body: usage and the SEC-5 hook see it.
    req.end_user = s.end_user;
    LETHE_RETURN_IF_ERROR(signals.Honour(req, c.principal()));
  }
  ConsentEntry e{s.customer_id, s.account_id, s.end_user,
                 purpose,       decision,     c.is_principal() ? "api" : "portal"};
  LETHE_ASSIGN_OR_RETURN(ConsentRecord r, consents.Record(e, c.actor(), OriginOf(req)));
  return HttpResponse::Json(201, EntryView(r));
}

Result<HttpResponse> Get(ConsentLedger& consents, HttpRequest& req, const Caller& c) {
  // A data-plane caller's end user came through the gate (?end_user=).
  std::optional<std::string> end_user = req.Query("end_user");
  LETHE_ASSIGN_OR_RETURN(Subject s,
                         SubjectOf(c, req.Query("subject"), req.Query("account_id"), end_user));
  LETHE_ASSIGN_OR_RETURN(ConsentStatus status,
                         consents.Read(s.customer_id, s.account_id, s.end_user));
  return HttpResponse::Json(200, StatusView(status, s.account_id, s.end_user));
}

}  // namespace

boost::json::array PurposeStatesView(const ConsentStatus& s) {
  boost::json::array purposes;
  for (const PurposeState& p : s.purposes) {
    boost::json::object v{{"purpose", p.purpose},   {"legal_basis", p.legal_basis},
                          {"optional", p.optional}, {"state", p.state},
                          {"allowed", p.allowed},   {"renewal_required", p.renewal_required}};
    v["since"] =
        p.latest ? boost::json::value(FormatRfc3339(p.latest->at_ms)) : boost::json::value(nullptr);
    v["source"] = p.latest ? boost::json::value(p.latest->source) : boost::json::value(nullptr);
    v["policy_version"] =
        p.latest ? boost::json::value(p.latest->policy_version) : boost::json::value(nullptr);
    purposes.push_back(std::move(v));
  }
  return purposes;
}

void AddConsentRoutes(Router& router, ConsentLedger& consents, PrivacySignals& signals,
                      PolicyVersions& policy, MarketingMail& marketing, uint64_t max_json_body) {
  router.Add("GET", "/v1/purposes", Auth::kNone, 0,
             [](HttpRequest&, const Caller&) -> Result<HttpResponse> {
               array items;
               for (const Purpose& p : Purposes()) {
                 items.push_back(object{{"name", p.name},
                                        {"legal_basis", p.legal_basis},
                                        {"optional", p.optional()},
                                        {"default", p.optional() ? "off" : "on"},
                                        {"description", p.description}});
               }
               return HttpResponse::Json(200, object{{"items", std::move(items)}});
             });
  router.Add("POST", "/v1/consents", Auth::kSessionOrDataPlane, max_json_body,
             [&consents, &signals](HttpRequest& req, const Caller& c) {
               return Post(consents, signals, req, c);
             });
  router.Add("GET", "/v1/consents", Auth::kSessionOrDataPlane, 0,
             [&consents](HttpRequest& req, const Caller& c) { return Get(consents, req, c); });
  router.Add("GET", "/v1/policy", Auth::kNone, 0,
             [&policy](HttpRequest&, const Caller&) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(PolicyVersionRecord v, policy.Current());
               return HttpResponse::Json(200, PolicyView(v, true));
             });
  router.Add("GET", "/v1/policy/versions", Auth::kNone, 0,
             [&policy](HttpRequest&, const Caller&) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(std::vector<PolicyVersionRecord> all, policy.All());
               array items;
               for (const PolicyVersionRecord& v : all) items.push_back(PolicyView(v, true));
               return HttpResponse::Json(200, object{{"items", std::move(items)}});
             });
  // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the
  // URL of List-Unsubscribe; the token in the URL is the credential. A GET
  // changes nothing (link scanners fetch them).
  router.Add("POST", "/v1/unsubscribe", Auth::kNone, 1024,
             [&marketing](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
               std::optional<std::string> token = req.Query("token");
               if (!token || token->empty()) {
                 return Status::InvalidArgument("invalid-field", "the token is missing");
               }
               Status st = marketing.Unsubscribe(*token, OriginOf(req));
               if (st.code() == Status::Code::kNotFound) {
                 return Status::NotFound("no such unsubscribe link");
               }
               LETHE_RETURN_IF_ERROR(st);
               return HttpResponse::Json(200, object{{"unsubscribed", true}});
             });
  router.AddStaff(
      "POST", "/v1/staff/marketing", StaffRoles{StaffRole::kAdmin}, StaffAccess::NoCustomerData(),
      max_json_body, [&marketing](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"subject", "body"}));
        LETHE_ASSIGN_OR_RETURN(std::string subject, body.Required("subject"));
        LETHE_ASSIGN_OR_RETURN(std::string text, body.Required("body"));
        LETHE_ASSIGN_OR_RETURN(MarketingMail::Campaign sent,
                               marketing.SendToAll(subject, text, c.actor(), OriginOf(req)));
        return HttpResponse::Json(202,
                                  object{{"queued", sent.queued}, {"withheld", sent.withheld}});
      });
}

}  // namespace lethe
