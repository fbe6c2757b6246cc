#include "http/customer_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/json_body.h"

namespace lethe {
namespace {

using boost::json::object;

object SessionView(const IssuedSession& s) { return IssuedSessionView(s); }

Result<HttpResponse> SignUp(Customers& customers, HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(SignupForm form, ParseSignupForm(req));
  LETHE_ASSIGN_OR_RETURN(auto result, customers.SignUp(form, OriginOf(req)));
  return HttpResponse::Json(201, object{{"customer", CustomerView(result.customer)},
                                        {"session", SessionView(result.session)}});
}

Result<HttpResponse> SignIn(Customers& customers, HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"email", "password"}));
  LETHE_ASSIGN_OR_RETURN(std::string email, body.Required("email"));
  LETHE_ASSIGN_OR_RETURN(std::string password, body.Required("password"));
  LETHE_ASSIGN_OR_RETURN(SignInResult result, customers.SignIn(email, password, OriginOf(req)));
  if (result.challenge) return HttpResponse::Json(202, ChallengeView(*result.challenge));
  return HttpResponse::Json(201, SessionView(*result.session));
}

Result<HttpResponse> PatchMe(Customers& customers, HttpRequest& req, const CustomerRecord& me) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"name", "email", "company", "job_title",
                                                         "use_case", "phone"}));
  ProfilePatch patch;
  for (auto [field, target] : {std::pair{"name", &patch.name},
                               {"email", &patch.email},
                               {"company", &patch.company},
                               {"job_title", &patch.job_title},
                               {"use_case", &patch.use_case},
                               {"phone", &patch.phone}}) {
    LETHE_ASSIGN_OR_RETURN(*target, body.Optional(field));
  }
  LETHE_ASSIGN_OR_RETURN(CustomerRecord updated,
                         customers.UpdateProfile(me.id, patch, OriginOf(req)));
  return HttpResponse::Json(200, CustomerView(updated));
}

Result<HttpResponse> CreateAccount(Accounts& accounts, HttpRequest& req, const CustomerRecord& me) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"name", "region"}));
  LETHE_ASSIGN_OR_RETURN(std::string name, body.Required("name"));
  LETHE_ASSIGN_OR_RETURN(std::string region, body.Required("region"));
  LETHE_ASSIGN_OR_RETURN(NewAccount created, accounts.Create(me.id, name, region, OriginOf(req)));
  object view = AccountView(created.account);
  view["allowed_origins"] = boost::json::array();  // none yet (CORS closed)
  view["scrub_metadata"] = true;                   // on for new accounts
  view["capture_notice"] = nullptr;                // none yet (the recorder cannot record)
  view["capture_purposes"] = boost::json::array();
  view["api_token"] = created.api_token;
  return HttpResponse::Json(201, view);
}

// The account view with its allowed origins (CORS, issue 9).
Result<object> FullAccountView(Accounts& accounts, const AccountRecord& a) {
  object view = AccountView(a);
  LETHE_ASSIGN_OR_RETURN(std::vector<std::string> origins, accounts.AllowedOrigins(a.id));
  boost::json::array list;
  for (const std::string& o : origins) list.emplace_back(o);
  view["allowed_origins"] = std::move(list);
  LETHE_ASSIGN_OR_RETURN(bool scrub, accounts.ScrubsMetadata(a.id));
  view["scrub_metadata"] = scrub;
  LETHE_ASSIGN_OR_RETURN(CaptureNoticeRecord notice, accounts.CaptureNotice(a.id));
  boost::json::array purposes;
  for (const std::string& p : notice.purposes) purposes.emplace_back(p);
  view["capture_notice"] =
      notice.text.empty() ? boost::json::value(nullptr) : boost::json::value(notice.text);
  view["capture_purposes"] = std::move(purposes);
  return view;
}

Result<HttpResponse> RenameAccount(Accounts& accounts, HttpRequest& req, const CustomerRecord& me) {
  LETHE_ASSIGN_OR_RETURN(
      JsonFields body, JsonBody(req, {"name", "retention_days", "allowed_origins", "scrub_metadata",
                                      "capture_notice", "capture_purposes"}));
  Accounts::Patch patch;
  LETHE_ASSIGN_OR_RETURN(patch.name, body.Optional("name"));
  if (body.Has("retention_days")) {
    LETHE_ASSIGN_OR_RETURN(patch.retention_days, body.OptionalInt("retention_days"));
  }
  if (body.Has("allowed_origins")) {
    LETHE_ASSIGN_OR_RETURN(auto origins, body.OptionalStrings("allowed_origins"));
    patch.allowed_origins = origins.value_or(std::vector<std::string>{});
  }
  if (body.Has("scrub_metadata")) {
    LETHE_ASSIGN_OR_RETURN(patch.scrub_metadata, body.OptionalBool("scrub_metadata"));
    if (!patch.scrub_metadata) {
      return Status::InvalidArgument("invalid-field", "scrub_metadata must be true or false");
    }
  }
  // The recorder's notice and its purposes are set together; a null
  // capture_notice removes both.
  if (body.Has("capture_notice") || body.Has("capture_purposes")) {
    LETHE_ASSIGN_OR_RETURN(auto text, body.Optional("capture_notice"));
    LETHE_ASSIGN_OR_RETURN(auto purposes, body.OptionalStrings("capture_purposes"));
    if (text.has_value() != purposes.has_value()) {
      return Status::InvalidArgument(
          "invalid-field", "capture_notice and capture_purposes are set together (null: removed)");
    }
    patch.capture_notice =
        CaptureNoticeRecord{text.value_or(""), purposes.value_or(std::vector<std::string>{})};
    if (text && text->empty()) {
      return Status::InvalidArgument("invalid-field",
                                     "capture_notice must not be empty (null removes it)");
    }
  }
  if (!patch.name && !patch.retention_days && !patch.allowed_origins && !patch.scrub_metadata &&
      !patch.capture_notice) {
    return Status::InvalidArgument("invalid-field",
                                   "give name, retention_days, allowed_origins, scrub_metadata or "
                                   "capture_notice with capture_purposes");
  }
  LETHE_ASSIGN_OR_RETURN(AccountRecord account,
                         accounts.Update(me.id, req.Param("id"), patch, OriginOf(req)));
  LETHE_ASSIGN_OR_RETURN(object view, FullAccountView(accounts, account));
  return HttpResponse::Json(200, view);
}

Result<HttpResponse> ListAudit(Accounts& accounts, HttpRequest& req, const CustomerRecord& me) {
  LETHE_ASSIGN_OR_RETURN(PageRequest page, PageParams(req, 100, 1000));
  LETHE_ASSIGN_OR_RETURN(
      std::vector<AuditEvent> events,
      accounts.AuditTrail(me.id, req.Param("id"), page.after_seq.value_or(0), page.limit));
  boost::json::array list;
  for (const AuditEvent& e : events) list.push_back(AuditView(e));
  boost::json::value next = nullptr;
  if (static_cast<int>(events.size()) == page.limit) next = EncodeCursor(events.back().seq);
  return HttpResponse::Json(200, object{{"events", std::move(list)}, {"next_cursor", next}});
}

}  // namespace

object IssuedSessionView(const IssuedSession& s) {
  return {{"token", s.token}, {"expires_at", FormatRfc3339(s.expires_ms)}};
}

// 202: the password was right, a second factor is due (ACC-4); the
// challenge goes to POST /v1/sessions/2fa.
boost::json::object ChallengeView(const SignInChallenge& c) {
  boost::json::array methods;
  for (const std::string& m : c.methods) methods.push_back(boost::json::string(m));
  return {{"challenge", c.token},
          {"methods", std::move(methods)},
          {"expires_at", FormatRfc3339(c.expires_ms)}};
}

Result<SignupForm> ParseSignupForm(const HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body,
                         JsonBody(req, {"name", "email", "password", "country", "birth_date",
                                        "company", "job_title", "use_case", "phone"}));
  SignupForm form;
  for (auto [field, target] : {std::pair{"name", &form.name},
                               {"email", &form.email},
                               {"password", &form.password},
                               {"country", &form.country},
                               {"birth_date", &form.birth_date}}) {
    LETHE_ASSIGN_OR_RETURN(*target, body.Required(field));
  }
  for (auto [field, target] : {std::pair{"company", &form.company},
                               {"job_title", &form.job_title},
                               {"use_case", &form.use_case},
                               {"phone", &form.phone}}) {
    LETHE_ASSIGN_OR_RETURN(*target, body.Optional(field));
  }
  return form;
}

void AddCustomerRoutes(Router& router, Customers& customers, Accounts& accounts,
                       uint64_t max_json_body) {
  const uint64_t kMax = max_json_body;
  // Both hash a password (argon2id, ~0.1 s): on their own pool.
  router.AddSlow("POST", "/v1/signup", Auth::kNone, kMax,
                 [&](HttpRequest& req, const Caller&) { return SignUp(customers, req); });
  router.AddSlow("POST", "/v1/sessions", Auth::kNone, kMax,
                 [&](HttpRequest& req, const Caller&) { return SignIn(customers, req); });

  // The customer console: every route below needs a session.
  const Auth kSession = Auth::kSession;
  router.Add("DELETE", "/v1/sessions/current", kSession, kMax,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_RETURN_IF_ERROR(customers.SignOut(c.session_token(), OriginOf(req)));
               return HttpResponse::Empty(204);
             });
  router.Add("GET", "/v1/me", kSession, kMax,
             [](HttpRequest&, const Caller& c) -> Result<HttpResponse> {
               return HttpResponse::Json(200, CustomerView(c.customer()));
             });
  router.Add("PATCH", "/v1/me", kSession, kMax, [&](HttpRequest& req, const Caller& c) {
    return PatchMe(customers, req, c.customer());
  });
  router.Add("POST", "/v1/accounts", kSession, kMax, [&](HttpRequest& req, const Caller& c) {
    return CreateAccount(accounts, req, c.customer());
  });
  router.Add("GET", "/v1/accounts", kSession, kMax,
             [&](HttpRequest&, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(auto list, accounts.List(c.customer().id));
               boost::json::array out;
               for (const auto& a : list) {
                 LETHE_ASSIGN_OR_RETURN(object view, FullAccountView(accounts, a));
                 out.push_back(std::move(view));
               }
               return HttpResponse::Json(200, object{{"accounts", std::move(out)}});
             });
  router.Add("GET", "/v1/accounts/{id}", kSession, kMax,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(AccountRecord a,
                                      accounts.Get(c.customer().id, req.Param("id")));
               LETHE_ASSIGN_OR_RETURN(object view, FullAccountView(accounts, a));
               return HttpResponse::Json(200, view);
             });
  router.Add("PATCH", "/v1/accounts/{id}", kSession, kMax, [&](HttpRequest& req, const Caller& c) {
    return RenameAccount(accounts, req, c.customer());
  });
  router.Add("POST", "/v1/accounts/{id}/token", kSession, kMax,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(
                   std::string token,
                   accounts.RotateToken(c.customer().id, req.Param("id"), OriginOf(req)));
               return HttpResponse::Json(200, object{{"api_token", token}});
             });
  router.Add(
      "POST", "/v1/accounts/{id}/keys", kSession, kMax,
      [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_ASSIGN_OR_RETURN(NewApiKey key,
                               accounts.CreateKey(c.customer().id, req.Param("id"), OriginOf(req)));
        return HttpResponse::Json(201, object{{"key_id", key.key.id},
                                              {"secret", key.secret},
                                              {"created_at", FormatRfc3339(key.key.created_ms)}});
      });
  router.Add("GET", "/v1/accounts/{id}/keys", kSession, kMax,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(auto keys,
                                      accounts.ListKeys(c.customer().id, req.Param("id")));
               boost::json::array out;
               for (const auto& k : keys) out.push_back(ApiKeyView(k));
               return HttpResponse::Json(200, object{{"keys", std::move(out)}});
             });
  router.Add("DELETE", "/v1/accounts/{id}/keys/{key_id}", kSession, kMax,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_RETURN_IF_ERROR(accounts.RevokeKey(c.customer().id, req.Param("id"),
                                                        req.Param("key_id"), OriginOf(req)));
               return HttpResponse::Empty(204);
             });
  router.Add(
      "GET", "/v1/accounts/{id}/audit", kSession, kMax,
      [&](HttpRequest& req, const Caller& c) { return ListAudit(accounts, req, c.customer()); });
}

}  // namespace lethe
