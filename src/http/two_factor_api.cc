#include "http/two_factor_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/json_body.h"
#include "http/qr_svg.h"

namespace lethe {
namespace {

using boost::json::object;

Result<HttpResponse> Enrol(TwoFactor& two_factor, HttpRequest& req, const CustomerRecord& me) {
  LETHE_ASSIGN_OR_RETURN(TotpEnrolment e, two_factor.EnrolTotp(me, OriginOf(req)));
  LETHE_ASSIGN_OR_RETURN(QrMatrix qr, EncodeQr(e.uri));
  return HttpResponse::Json(
      201,
      object{{"status", "pending"}, {"uri", e.uri}, {"secret", e.secret}, {"qr_svg", QrSvg(qr)}});
}

Result<HttpResponse> Confirm(TwoFactor& two_factor, HttpRequest& req, const CustomerRecord& me) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"code"}));
  LETHE_ASSIGN_OR_RETURN(std::string code, body.Required("code"));
  LETHE_ASSIGN_OR_RETURN(auto codes, two_factor.ConfirmTotp(me, code, OriginOf(req)));
  boost::json::array list;
  for (const std::string& c : codes) list.push_back(boost::json::string(c));
  return HttpResponse::Json(200, object{{"status", "on"}, {"recovery_codes", std::move(list)}});
}

Result<HttpResponse> Disable(TwoFactor& two_factor, HttpRequest& req, const CustomerRecord& me) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"code"}));
  LETHE_ASSIGN_OR_RETURN(std::string code, body.Required("code"));
  LETHE_RETURN_IF_ERROR(two_factor.Disable(me, code, OriginOf(req)));
  return HttpResponse::Empty(204);
}

Result<HttpResponse> SecondStep(TwoFactor& two_factor, Customers& customers, HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(IssuedSession session, CompleteSecondStep(two_factor, customers, req));
  return HttpResponse::Json(
      201, object{{"token", session.token}, {"expires_at", FormatRfc3339(session.expires_ms)}});
}

// SMS (ACC-4): each of these sends a text; they run on the blocking pool
// like every handler, so the provider's latency never holds a network
// thread.
Result<HttpResponse> EnrolSms(TwoFactor& two_factor, HttpRequest& req, const CustomerRecord& me) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"phone"}));
  LETHE_ASSIGN_OR_RETURN(std::string phone, body.Required("phone"));
  LETHE_ASSIGN_OR_RETURN(int64_t expires, two_factor.EnrolSms(me, phone, OriginOf(req)));
  return HttpResponse::Json(
      201, object{{"status", "pending"}, {"code_expires_at", FormatRfc3339(expires)}});
}

Result<HttpResponse> ConfirmSms(TwoFactor& two_factor, HttpRequest& req, const CustomerRecord& me) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"code"}));
  LETHE_ASSIGN_OR_RETURN(std::string code, body.Required("code"));
  LETHE_ASSIGN_OR_RETURN(auto codes, two_factor.ConfirmSms(me, code, OriginOf(req)));
  boost::json::array list;
  for (const std::string& c : codes) list.push_back(boost::json::string(c));
  return HttpResponse::Json(200, object{{"status", "on"}, {"recovery_codes", std::move(list)}});
}

Result<HttpResponse> SendDisableCode(TwoFactor& two_factor, HttpRequest& req,
                                     const CustomerRecord& me) {
  LETHE_ASSIGN_OR_RETURN(int64_t expires, two_factor.SendDisableCode(me, OriginOf(req)));
  return HttpResponse::Json(
      202, object{{"status", "sent"}, {"code_expires_at", FormatRfc3339(expires)}});
}

Result<HttpResponse> SendSignInCode(TwoFactor& two_factor, HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"challenge"}));
  LETHE_ASSIGN_OR_RETURN(std::string challenge, body.Required("challenge"));
  LETHE_ASSIGN_OR_RETURN(int64_t expires, two_factor.SendSignInCode(challenge, OriginOf(req)));
  return HttpResponse::Json(
      202, object{{"status", "sent"}, {"code_expires_at", FormatRfc3339(expires)}});
}

}  // namespace

Result<IssuedSession> CompleteSecondStep(TwoFactor& two_factor, Customers& customers,
                                         HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"challenge", "code"}));
  LETHE_ASSIGN_OR_RETURN(std::string challenge, body.Required("challenge"));
  LETHE_ASSIGN_OR_RETURN(std::string code, body.Required("code"));
  LETHE_ASSIGN_OR_RETURN(std::string customer_id,
                         two_factor.Redeem(challenge, code, OriginOf(req)));
  return customers.CompleteSignIn(customer_id, OriginOf(req));
}

void AddTwoFactorRoutes(Router& router, TwoFactor& two_factor, Customers& customers,
                        uint64_t max_json_body) {
  const uint64_t kMax = max_json_body;
  router.Add(
      "POST", "/v1/me/2fa/totp", Auth::kSession, kMax,
      [&](HttpRequest& req, const Caller& c) { return Enrol(two_factor, req, c.customer()); });
  router.Add(
      "POST", "/v1/me/2fa/totp/confirm", Auth::kSession, kMax,
      [&](HttpRequest& req, const Caller& c) { return Confirm(two_factor, req, c.customer()); });
  router.Add("DELETE", "/v1/me/2fa", Auth::kSession, kMax, [&](HttpRequest& req, const Caller& c) {
    return Disable(two_factor, req, c.customer());
  });
  router.Add("POST", "/v1/sessions/2fa", Auth::kNone, kMax, [&](HttpRequest& req, const Caller&) {
    return SecondStep(two_factor, customers, req);
  });
  router.Add(
      "POST", "/v1/me/2fa/sms", Auth::kSession, kMax,
      [&](HttpRequest& req, const Caller& c) { return EnrolSms(two_factor, req, c.customer()); });
  router.Add(
      "POST", "/v1/me/2fa/sms/confirm", Auth::kSession, kMax,
      [&](HttpRequest& req, const Caller& c) { return ConfirmSms(two_factor, req, c.customer()); });
  router.Add("POST", "/v1/me/2fa/sms/code", Auth::kSession, kMax,
             [&](HttpRequest& req, const Caller& c) {
               return SendDisableCode(two_factor, req, c.customer());
             });
  router.Add("POST", "/v1/sessions/2fa/sms", Auth::kNone, kMax,
             [&](HttpRequest& req, const Caller&) { return SendSignInCode(two_factor, req); });
}

}  // namespace lethe
