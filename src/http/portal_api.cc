#include "http/portal_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/browser_session.h"
#include "http/customer_api.h"
#include "http/json_body.h"
#include "http/staff_api.h"
#include "http/two_factor_api.h"

namespace lethe {
namespace {

using boost::json::object;

HttpResponse NoStore(HttpResponse r) {
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

Result<HttpResponse> SignUp(Customers& customers, const Gate& gate, const Clock& clock,
                            HttpRequest& req) {
  LETHE_RETURN_IF_ERROR(CheckSameOrigin(req, gate.public_origin()));
  LETHE_ASSIGN_OR_RETURN(SignupForm form, ParseSignupForm(req));
  LETHE_ASSIGN_OR_RETURN(SignupResult result, customers.SignUp(form, OriginOf(req)));
  return PortalSignedIn(result.customer, result.session, clock);
}

Result<HttpResponse> SignIn(Customers& customers, const Gate& gate, const Clock& clock,
                            HttpRequest& req) {
  LETHE_RETURN_IF_ERROR(CheckSameOrigin(req, gate.public_origin()));
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"email", "password"}));
  LETHE_ASSIGN_OR_RETURN(std::string email, body.Required("email"));
  LETHE_ASSIGN_OR_RETURN(std::string password, body.Required("password"));
  LETHE_ASSIGN_OR_RETURN(SignInResult result, customers.SignIn(email, password, OriginOf(req)));
  if (result.challenge) return NoStore(HttpResponse::Json(202, ChallengeView(*result.challenge)));
  LETHE_ASSIGN_OR_RETURN(CustomerRecord customer, customers.Authenticate(result.session->token));
  return PortalSignedIn(customer, *result.session, clock);
}

Result<HttpResponse> SecondStep(Customers& customers, TwoFactor& two_factor, const Gate& gate,
                                const Clock& clock, HttpRequest& req) {
  LETHE_RETURN_IF_ERROR(CheckSameOrigin(req, gate.public_origin()));
  LETHE_ASSIGN_OR_RETURN(IssuedSession session, CompleteSecondStep(two_factor, customers, req));
  LETHE_ASSIGN_OR_RETURN(CustomerRecord customer, customers.Authenticate(session.token));
  return PortalSignedIn(customer, session, clock);
}

object StaffView(const StaffPrincipal& who) {
  return {{"id", who.id}, {"name", who.name}, {"role", StaffRoleName(who.role)}};
}

Result<HttpResponse> StaffSignIn(Staff& staff, const Gate& gate, const Clock& clock,
                                 HttpRequest& req) {
  LETHE_RETURN_IF_ERROR(CheckSameOrigin(req, gate.public_origin()));
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"staff_id", "password", "code"}));
  LETHE_ASSIGN_OR_RETURN(std::string id, body.Required("staff_id"));
  LETHE_ASSIGN_OR_RETURN(std::string password, body.Required("password"));
  LETHE_ASSIGN_OR_RETURN(std::string code, body.Required("code"));
  LETHE_ASSIGN_OR_RETURN(StaffSession session, staff.SignIn(id, password, code, OriginOf(req)));
  return StaffPortalSignedIn(staff, session, clock);
}

}  // namespace

HttpResponse PortalSignedIn(const CustomerRecord& customer, const IssuedSession& session,
                            const Clock& clock) {
  HttpResponse r =
      HttpResponse::Json(201, object{{"customer", CustomerView(customer)},
                                     {"csrf_token", CsrfToken(session.token)},
                                     {"expires_at", FormatRfc3339(session.expires_ms)}});
  r.SetHeader("Set-Cookie",
              SessionCookieHeader(session.token, (session.expires_ms - clock.NowMillis()) / 1000));
  return NoStore(std::move(r));
}

Result<HttpResponse> StaffPortalSignedIn(Staff& staff, const StaffSession& session,
                                         const Clock& clock) {
  LETHE_ASSIGN_OR_RETURN(StaffPrincipal who, staff.Authenticate(session.token));
  HttpResponse r =
      HttpResponse::Json(201, object{{"staff", StaffView(who)},
                                     {"csrf_token", CsrfToken(session.token)},
                                     {"expires_at", FormatRfc3339(session.expires_ms)}});
  r.SetHeader("Set-Cookie",
              SessionCookieHeader(session.token, (session.expires_ms - clock.NowMillis()) / 1000,
                                  kStaffSessionCookie));
  return NoStore(std::move(r));
}

void AddStaffPortalRoutes(Router& router, Staff& staff, const Gate& gate, const Clock& clock,
                          uint64_t max_json_body) {
  // Hashes a password (argon2id): on the slow pool, as its API twin.
  router.AddSlow(
      "POST", "/v1/staff/portal/sessions", Auth::kNone, max_json_body,
      [&](HttpRequest& req, const Caller&) { return StaffSignIn(staff, gate, clock, req); });
  router.AddStaff("GET", "/v1/staff/portal/session", AllStaffRoles(), StaffAccess::NoCustomerData(),
                  max_json_body, [](HttpRequest&, const Caller& c) -> Result<HttpResponse> {
                    return NoStore(HttpResponse::Json(
                        200, object{{"staff", StaffView(c.staff())},
                                    {"csrf_token", CsrfToken(c.session_token())}}));
                  });
}

void AddPortalSessionRoutes(Router& router, Customers& customers, TwoFactor& two_factor,
                            const Gate& gate, const Clock& clock, uint64_t max_json_body) {
  const uint64_t kMax = max_json_body;
  // Both hash a password (argon2id): on the slow pool, as their API twins.
  router.AddSlow(
      "POST", "/v1/portal/signup", Auth::kNone, kMax,
      [&](HttpRequest& req, const Caller&) { return SignUp(customers, gate, clock, req); });
  router.AddSlow(
      "POST", "/v1/portal/sessions", Auth::kNone, kMax,
      [&](HttpRequest& req, const Caller&) { return SignIn(customers, gate, clock, req); });
  router.Add("POST", "/v1/portal/sessions/2fa", Auth::kNone, kMax,
             [&](HttpRequest& req, const Caller&) {
               return SecondStep(customers, two_factor, gate, clock, req);
             });
  router.Add("GET", "/v1/portal/session", Auth::kSession, kMax,
             [](HttpRequest&, const Caller& c) -> Result<HttpResponse> {
               return NoStore(
                   HttpResponse::Json(200, object{{"customer", CustomerView(c.customer())},
                                                  {"csrf_token", CsrfToken(c.session_token())}}));
             });
  router.Add("DELETE", "/v1/portal/session", Auth::kSession, kMax,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_RETURN_IF_ERROR(customers.SignOut(c.session_token(), OriginOf(req)));
               HttpResponse r = HttpResponse::Empty(204);
               r.SetHeader("Set-Cookie", ClearedSessionCookieHeader());
               return NoStore(std::move(r));
             });
}

}  // namespace lethe
