#include "http/customer_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/json_body.h"

namespace lethe {
namespace {

using boost::json::object;

// Wraps a handler that needs the signed-in customer.
Handler SignedIn(Customers& customers,
                 std::function<HttpResponse(HttpRequest&, const CustomerRecord&)> fn) {
  return [&customers, fn = std::move(fn)](HttpRequest& req) {
    auto token = BearerToken(req);
    if (!token) return Fail(Status::Unauthenticated("a session token is required"), req);
    auto customer = customers.Authenticate(*token);
    if (!customer.ok()) return Fail(customer.status(), req);
    return fn(req, *customer);
  };
}

object SessionView(const IssuedSession& s) {
  return {{"token", s.token}, {"expires_at", FormatRfc3339(s.expires_ms)}};
}

HttpResponse SignUp(Customers& customers, HttpRequest& req) {
  auto body = JsonBody(req, {"name", "email", "password", "country", "birth_date", "company",
                             "job_title", "use_case", "phone"});
  if (!body.ok()) return Fail(body.status(), req);
  SignupForm form;
  for (auto [field, target] : {std::pair{"name", &form.name},
                               {"email", &form.email},
                               {"password", &form.password},
                               {"country", &form.country},
                               {"birth_date", &form.birth_date}}) {
    auto v = body->Required(field);
    if (!v.ok()) return Fail(v.status(), req);
    *target = std::move(*v);
  }
  for (auto [field, target] : {std::pair{"company", &form.company},
                               {"job_title", &form.job_title},
                               {"use_case", &form.use_case},
                               {"phone", &form.phone}}) {
    auto v = body->Optional(field);
    if (!v.ok()) return Fail(v.status(), req);
    *target = std::move(*v);
  }
  auto result = customers.SignUp(form, OriginOf(req));
  if (!result.ok()) return Fail(result.status(), req);
  return HttpResponse::Json(201, object{{"customer", CustomerView(result->customer)},
                                        {"session", SessionView(result->session)}});
}

HttpResponse SignIn(Customers& customers, HttpRequest& req) {
  auto body = JsonBody(req, {"email", "password"});
  if (!body.ok()) return Fail(body.status(), req);
  auto email = body->Required("email");
  if (!email.ok()) return Fail(email.status(), req);
  auto password = body->Required("password");
  if (!password.ok()) return Fail(password.status(), req);
  auto session = customers.SignIn(*email, *password, OriginOf(req));
  if (!session.ok()) return Fail(session.status(), req);
  return HttpResponse::Json(201, SessionView(*session));
}

HttpResponse PatchMe(Customers& customers, HttpRequest& req, const CustomerRecord& me) {
  auto body = JsonBody(req, {"name", "email", "company", "job_title", "use_case", "phone"});
  if (!body.ok()) return Fail(body.status(), req);
  ProfilePatch patch;
  for (auto [field, target] : {std::pair{"name", &patch.name},
                               {"email", &patch.email},
                               {"company", &patch.company},
                               {"job_title", &patch.job_title},
                               {"use_case", &patch.use_case},
                               {"phone", &patch.phone}}) {
    auto v = body->Optional(field);
    if (!v.ok()) return Fail(v.status(), req);
    *target = std::move(*v);
  }
  auto updated = customers.UpdateProfile(me.id, patch, OriginOf(req));
  if (!updated.ok()) return Fail(updated.status(), req);
  return HttpResponse::Json(200, CustomerView(*updated));
}

HttpResponse CreateAccount(Accounts& accounts, HttpRequest& req, const CustomerRecord& me) {
  auto body = JsonBody(req, {"name", "region"});
  if (!body.ok()) return Fail(body.status(), req);
  auto name = body->Required("name");
  if (!name.ok()) return Fail(name.status(), req);
  auto region = body->Required("region");
  if (!region.ok()) return Fail(region.status(), req);
  auto created = accounts.Create(me.id, *name, *region, OriginOf(req));
  if (!created.ok()) return Fail(created.status(), req);
  object view = AccountView(created->account);
  view["api_token"] = created->api_token;
  return HttpResponse::Json(201, view);
}

HttpResponse RenameAccount(Accounts& accounts, HttpRequest& req, const CustomerRecord& me) {
  auto body = JsonBody(req, {"name"});
  if (!body.ok()) return Fail(body.status(), req);
  auto name = body->Required("name");
  if (!name.ok()) return Fail(name.status(), req);
  auto account = accounts.Rename(me.id, req.Param("id"), *name, OriginOf(req));
  if (!account.ok()) return Fail(account.status(), req);
  return HttpResponse::Json(200, AccountView(*account));
}

HttpResponse ListAudit(Accounts& accounts, HttpRequest& req, const CustomerRecord& me) {
  auto page = PageParams(req, 100, 1000);
  if (!page.ok()) return Fail(page.status(), req);
  auto events =
      accounts.AuditTrail(me.id, req.Param("id"), page->after_seq.value_or(0), page->limit);
  if (!events.ok()) return Fail(events.status(), req);
  boost::json::array list;
  for (const AuditEvent& e : *events) list.push_back(AuditView(e));
  boost::json::value next = nullptr;
  if (static_cast<int>(events->size()) == page->limit) next = EncodeCursor(events->back().seq);
  return HttpResponse::Json(200, object{{"events", std::move(list)}, {"next_cursor", next}});
}

}  // namespace

void AddCustomerRoutes(Router& router, Customers& customers, Accounts& accounts,
                       uint64_t max_json_body) {
  const uint64_t kMax = max_json_body;
  // Both hash a password (argon2id, ~0.1 s): off the I/O threads.
  router.AddSlow(
      "POST", "/v1/signup", [&](HttpRequest& req) { return SignUp(customers, req); }, kMax);
  router.AddSlow(
      "POST", "/v1/sessions", [&](HttpRequest& req) { return SignIn(customers, req); }, kMax);
  router.Add("DELETE", "/v1/sessions/current",
             SignedIn(customers,
                      [&](HttpRequest& req, const CustomerRecord&) {
                        Status st = customers.SignOut(*BearerToken(req), OriginOf(req));
                        return st.ok() ? HttpResponse::Empty(204) : Fail(st, req);
                      }),
             kMax);
  router.Add("GET", "/v1/me",
             SignedIn(customers,
                      [](HttpRequest&, const CustomerRecord& me) {
                        return HttpResponse::Json(200, CustomerView(me));
                      }),
             kMax);
  router.Add(
      "PATCH", "/v1/me",
      SignedIn(customers, [&](HttpRequest& req,
                              const CustomerRecord& me) { return PatchMe(customers, req, me); }),
      kMax);
  router.Add("POST", "/v1/accounts",
             SignedIn(customers,
                      [&](HttpRequest& req, const CustomerRecord& me) {
                        return CreateAccount(accounts, req, me);
                      }),
             kMax);
  router.Add("GET", "/v1/accounts",
             SignedIn(customers,
                      [&](HttpRequest& req, const CustomerRecord& me) {
                        auto list = accounts.List(me.id);
                        if (!list.ok()) return Fail(list.status(), req);
                        boost::json::array out;
                        for (const auto& a : *list) out.push_back(AccountView(a));
                        return HttpResponse::Json(200, object{{"accounts", std::move(out)}});
                      }),
             kMax);
  router.Add("GET", "/v1/accounts/{id}",
             SignedIn(customers,
                      [&](HttpRequest& req, const CustomerRecord& me) {
                        auto a = accounts.Get(me.id, req.Param("id"));
                        return a.ok() ? HttpResponse::Json(200, AccountView(*a))
                                      : Fail(a.status(), req);
                      }),
             kMax);
  router.Add("PATCH", "/v1/accounts/{id}",
             SignedIn(customers,
                      [&](HttpRequest& req, const CustomerRecord& me) {
                        return RenameAccount(accounts, req, me);
                      }),
             kMax);
  router.Add("POST", "/v1/accounts/{id}/token",
             SignedIn(customers,
                      [&](HttpRequest& req, const CustomerRecord& me) {
                        auto token = accounts.RotateToken(me.id, req.Param("id"), OriginOf(req));
                        if (!token.ok()) return Fail(token.status(), req);
                        return HttpResponse::Json(200, object{{"api_token", *token}});
                      }),
             kMax);
  router.Add("POST", "/v1/accounts/{id}/keys",
             SignedIn(customers,
                      [&](HttpRequest& req, const CustomerRecord& me) {
                        auto key = accounts.CreateKey(me.id, req.Param("id"), OriginOf(req));
                        if (!key.ok()) return Fail(key.status(), req);
                        return HttpResponse::Json(
                            201, object{{"key_id", key->key.id},
                                        {"secret", key->secret},
                                        {"created_at", FormatRfc3339(key->key.created_ms)}});
                      }),
             kMax);
  router.Add("GET", "/v1/accounts/{id}/keys",
             SignedIn(customers,
                      [&](HttpRequest& req, const CustomerRecord& me) {
                        auto keys = accounts.ListKeys(me.id, req.Param("id"));
                        if (!keys.ok()) return Fail(keys.status(), req);
                        boost::json::array out;
                        for (const auto& k : *keys) out.push_back(ApiKeyView(k));
                        return HttpResponse::Json(200, object{{"keys", std::move(out)}});
                      }),
             kMax);
  router.Add("DELETE", "/v1/accounts/{id}/keys/{key_id}",
             SignedIn(customers,
                      [&](HttpRequest& req, const CustomerRecord& me) {
                        Status st = accounts.RevokeKey(me.id, req.Param("id"), req.Param("key_id"),
                                                       OriginOf(req));
                        return st.ok() ? HttpResponse::Empty(204) : Fail(st, req);
                      }),
             kMax);
  router.Add(
      "GET", "/v1/accounts/{id}/audit",
      SignedIn(customers, [&](HttpRequest& req,
                              const CustomerRecord& me) { return ListAudit(accounts, req, me); }),
      kMax);
}

}  // namespace lethe
