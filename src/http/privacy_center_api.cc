#include "http/privacy_center_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "common/utf8.h"
#include "domain/purposes.h"
#include "http/api_support.h"
#include "http/consent_api.h"
#include "http/privacy_signals.h"

namespace lethe {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

constexpr char kLinkScheme[] = "PrivacyLink ";
constexpr char kLimiterPrefix[] = "privacy-center:";

// Who acts on the privacy center, in the audit chain: the end user, through
// the page (by the customer's link, or by the mailed code).
Actor PrivacyCenterActor() { return Actor::System("lethe:privacy-center"); }

// The open account `id`, or NotFound: a closed or unknown account, and an
// id of another shape, are all the same "no such privacy center".
Result<AccountRecord> OpenAccount(Accounts& accounts, const std::string& id) {
  Result<AccountRecord> a = accounts.FindForLink(id);
  if (!a.ok()) {
    if (a.status().code() == Status::Code::kNotFound) {
      return Status::NotFound("no privacy center at this address");
    }
    return a.status();
  }
  if (a->closed_ms) return Status::NotFound("no privacy center at this address");
  return a;
}

// The token of "Authorization: PrivacyLink <token>", if that is the scheme.
std::optional<std::string> LinkToken(const HttpRequest& req) {
  const std::string& h = req.Header("authorization");
  if (h.rfind(kLinkScheme, 0) != 0) return std::nullopt;
  return h.substr(sizeof kLinkScheme - 1);
}

// The end user the request's link names for `account`. Unauthenticated
// without a link, or with one that is invalid or expired; NotFound for a
// link of another account (it reveals nothing of either).
Result<std::string> LinkedEndUser(const PrivacyCenterParts& p, const HttpRequest& req,
                                  const AccountRecord& account) {
  std::optional<std::string> token = LinkToken(req);
  if (!token) return Status::Unauthenticated("this needs the privacy center link from the app");
  LETHE_ASSIGN_OR_RETURN(PrivacyCenterLink link, p.links.Open(*token));
  if (link.account_id != account.id) return Status::NotFound("no privacy center at this address");
  return link.end_user;
}

value SignalValue(const HttpRequest& req) {
  std::string signal = PrivacySignalOf(req);
  return signal.empty() ? value(nullptr) : value(signal);
}

object ConsentsView(const ConsentStatus& s, const std::string& end_user, const HttpRequest& req,
                    int honoured) {
  array purposes = PurposeStatesView(s);
  return {{"end_user", end_user},
          {"policy_version", s.policy_version},
          {"signal", SignalValue(req)},
          {"signal_recorded", honoured},
          {"purposes", std::move(purposes)}};
}

// SEC-5 for the linked end user: the request's GPC or DNT, recorded once
// per signal as the ledger does for data-plane requests. Returns how many
// opt-outs it added.
Result<int> Honour(const PrivacyCenterParts& p, const HttpRequest& req, const AccountRecord& a,
                   const std::string& end_user) {
  std::string signal = PrivacySignalOf(req);
  if (signal.empty()) return 0;
  return p.consents.HonourSignal(a.customer_id, a.id, end_user, signal, OriginOf(req));
}

object RequestView(const PrivacyRequestRecord& r) {
  return {{"id", r.id},
          {"type", r.type},
          {"jurisdiction", r.jurisdiction},
          {"state", r.state},
          {"received_at", FormatRfc3339(r.received_ms)},
          {"acknowledge_by", r.acknowledge_by.empty() ? value(nullptr) : value(r.acknowledge_by)},
          {"due", r.due}};
}

Result<HttpResponse> IssueLink(const PrivacyCenterParts& p, HttpRequest& req, const Caller& c) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"end_user", "lifetime_seconds"}));
  LETHE_ASSIGN_OR_RETURN(std::string end_user, body.Required("end_user"));
  LETHE_ASSIGN_OR_RETURN(auto lifetime_s, body.OptionalInt("lifetime_seconds"));
  if (end_user.empty() || end_user.size() > 256 || !IsValidUtf8(end_user)) {
    return Status::InvalidArgument("invalid-field",
                                   "end_user must be UTF-8 text of 1 to 256 bytes");
  }
  int64_t lifetime_ms = kDefaultPrivacyLinkLifetimeMs;
  if (lifetime_s) {
    if (*lifetime_s < 60 || *lifetime_s > kMaxPrivacyLinkLifetimeMs / 1000) {
      return Status::InvalidArgument("invalid-field",
                                     "lifetime_seconds must be between 60 and 86400");
    }
    lifetime_ms = *lifetime_s * 1000;
  }
  req.end_user = end_user;  // metered, and the SEC-5 hook sees it
  const AccountRecord& a = c.principal().account;
  PrivacyCenterLink link;
  std::string token = p.links.Issue(a.id, end_user, lifetime_ms, &link);
  std::string path = "/privacy/" + a.id;
  return HttpResponse::Json(201, object{{"url", p.public_url + path + "#link=" + token},
                                        {"token", token},
                                        {"account_id", a.id},
                                        {"end_user", end_user},
                                        {"expires_at", FormatRfc3339(link.expires_ms)}});
}

Result<HttpResponse> Face(const PrivacyCenterParts& p, HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(AccountRecord a, OpenAccount(p.accounts, req.Param("account")));
  return HttpResponse::Json(
      200, object{{"account", object{{"id", a.id}, {"name", a.name}, {"region", a.region}}},
                  {"signal", SignalValue(req)}});
}

Result<HttpResponse> ReadConsents(const PrivacyCenterParts& p, HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(AccountRecord a, OpenAccount(p.accounts, req.Param("account")));
  LETHE_ASSIGN_OR_RETURN(std::string end_user, LinkedEndUser(p, req, a));
  LETHE_ASSIGN_OR_RETURN(int honoured, Honour(p, req, a, end_user));
  LETHE_ASSIGN_OR_RETURN(ConsentStatus s, p.consents.Read(a.customer_id, a.id, end_user));
  return HttpResponse::Json(200, ConsentsView(s, end_user, req, honoured));
}

Result<HttpResponse> RecordConsent(const PrivacyCenterParts& p, HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(AccountRecord a, OpenAccount(p.accounts, req.Param("account")));
  LETHE_ASSIGN_OR_RETURN(std::string end_user, LinkedEndUser(p, req, a));
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"purpose", "decision"}));
  LETHE_ASSIGN_OR_RETURN(std::string purpose, body.Required("purpose"));
  LETHE_ASSIGN_OR_RETURN(std::string decision, body.Required("decision"));
  LETHE_RETURN_IF_ERROR(StatusOf(Honour(p, req, a, end_user)));
  // The signal the request carries is the person's standing opt-out of
  // what ConsentLedger::HonourSignal records for it: an opt-in sent with
  // it contradicts it, and the next visit would undo it anyway.
  if (decision == "opt_in" && !PrivacySignalOf(req).empty() && CoveredByPrivacySignal(purpose)) {
    return PrivacySignalRefusal();
  }
  // The ledger's sources name the channel: the link is the customer's API
  // acting for its end user; the audit chain names the privacy center.
  ConsentEntry e{a.customer_id, a.id, end_user, purpose, decision, "api"};
  LETHE_ASSIGN_OR_RETURN(ConsentRecord r,
                         p.consents.Record(e, PrivacyCenterActor(), OriginOf(req)));
  return HttpResponse::Json(201, object{{"id", r.id},
                                        {"purpose", r.purpose},
                                        {"decision", r.decision},
                                        {"at", FormatRfc3339(r.at_ms)},
                                        {"policy_version", r.policy_version}});
}

Result<HttpResponse> FileRequest(const PrivacyCenterParts& p, HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(AccountRecord a, OpenAccount(p.accounts, req.Param("account")));
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"type", "jurisdiction", "email"}));
  PrivacyRequestForm form;
  form.customer_id = a.customer_id;
  form.account_id = a.id;
  LETHE_ASSIGN_OR_RETURN(form.type, body.Required("type"));
  LETHE_ASSIGN_OR_RETURN(form.jurisdiction, body.Required("jurisdiction"));
  LETHE_ASSIGN_OR_RETURN(auto email, body.Optional("email"));
  const RequestOrigin origin = OriginOf(req);
  if (LinkToken(req)) {
    // The customer's link vouches for the end user (RGT-2, in proportion).
    LETHE_ASSIGN_OR_RETURN(form.end_user, LinkedEndUser(p, req, a));
    form.attested = true;
  } else {
    if (!email || email->empty()) {
      return Status::InvalidArgument("invalid-field",
                                     "without the app's link, a request needs an email address");
    }
    const std::string email_key = kLimiterPrefix + *email;
    const std::string ip_key = kLimiterPrefix + origin.ip;
    LETHE_RETURN_IF_ERROR(p.limiter.Check(email_key, ip_key));
    LETHE_RETURN_IF_ERROR(p.store.Transact([&](MetadataTx& tx) -> Status {
      return StatusOf(p.limiter.RecordFailure(tx, email_key, ip_key));
    }));
    form.end_user = *email;
    form.verify_by_mail = true;
  }
  LETHE_ASSIGN_OR_RETURN(PrivacyRequestRecord r,
                         p.requests.Submit(form, PrivacyCenterActor(), origin));
  return HttpResponse::Json(201, RequestView(r));
}

Result<HttpResponse> VerifyRequest(const PrivacyCenterParts& p, HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(AccountRecord a, OpenAccount(p.accounts, req.Param("account")));
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"code"}));
  LETHE_ASSIGN_OR_RETURN(std::string code, body.Required("code"));
  LETHE_ASSIGN_OR_RETURN(PrivacyRequestRecord r, p.requests.Get(a.customer_id, req.Param("id")));
  // Only an end user's request of this account: a customer's own request,
  // or another account's, is no business of this page.
  if (r.account_id != a.id || r.subject_kind != "end_user") {
    return Status::NotFound("no such request");
  }
  VerificationForm form;
  form.code = code;
  LETHE_ASSIGN_OR_RETURN(
      r, p.requests.Verify(a.customer_id, r.id, form, PrivacyCenterActor(), OriginOf(req)));
  return HttpResponse::Json(200, RequestView(r));
}

}  // namespace

SignInLimits PrivacyCenterLimits() {
  SignInLimits l;
  l.email_free_failures = 3;
  l.ip_free_failures = 10;
  l.base_delay_ms = 60'000;
  l.max_delay_ms = 3600'000;
  return l;
}

void AddPrivacyCenterRoutes(Router& router, PrivacyCenterParts parts, uint64_t max_json_body) {
  auto p = std::make_shared<PrivacyCenterParts>(std::move(parts));
  router.Add("POST", "/v1/privacy-center/links", Auth::kDataPlane, max_json_body,
             [p](HttpRequest& req, const Caller& c) { return IssueLink(*p, req, c); });
  router.Add("GET", "/v1/privacy-center/{account}", Auth::kNone, 0,
             [p](HttpRequest& req, const Caller&) { return Face(*p, req); });
  router.Add("GET", "/v1/privacy-center/{account}/consents", Auth::kNone, 0,
             [p](HttpRequest& req, const Caller&) { return ReadConsents(*p, req); });
  router.Add("POST", "/v1/privacy-center/{account}/consents", Auth::kNone, max_json_body,
             [p](HttpRequest& req, const Caller&) { return RecordConsent(*p, req); });
  router.Add("POST", "/v1/privacy-center/{account}/requests", Auth::kNone, max_json_body,
             [p](HttpRequest& req, const Caller&) { return FileRequest(*p, req); });
  router.Add("POST", "/v1/privacy-center/{account}/requests/{id}/verify", Auth::kNone,
             max_json_body,
             [p](HttpRequest& req, const Caller&) { return VerifyRequest(*p, req); });
}

}  // namespace lethe
