#include "http/passkey_api.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "common/encoding.h"
#include "common/time_format.h"
#include "crypto/webauthn.h"
#include "domain/web_origins.h"
#include "http/api_support.h"
#include "http/browser_session.h"
#include "http/customer_api.h"
#include "http/json_body.h"
#include "http/portal_api.h"
#include "http/staff_access.h"
#include "http/staff_api.h"

namespace lethe {
namespace {

using boost::json::array;
using boost::json::object;

constexpr const char* kCustomer = "customer";
constexpr const char* kStaffKind = "staff";

HttpResponse NoStore(HttpResponse r) {
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

// This server as the relying party of `req`'s ceremony.
Result<RelyingParty> RelyingPartyOf(const HttpRequest& req, const Gate& gate) {
  std::string origin = gate.public_origin();
  if (origin.empty()) {
    // No configured origin: the page's, when it names this Host.
    LETHE_RETURN_IF_ERROR(CheckSameOrigin(req, ""));
    LETHE_ASSIGN_OR_RETURN(origin, CanonicalOrigin(req.Header("origin")));
  }
  auto url = boost::urls::parse_absolute_uri(origin);
  if (!url || url->encoded_host().empty()) return Status::Internal("the origin has no host");
  return RelyingParty{origin, std::string(url->encoded_host())};
}

Result<std::vector<uint8_t>> Bytes(const JsonFields& body, std::string_view field) {
  LETHE_ASSIGN_OR_RETURN(std::string text, body.Required(field));
  auto bytes = Base64UrlDecode(text);
  if (!bytes || bytes->empty()) {
    return Status::InvalidArgument("invalid-field", std::string(field) + ": base64url bytes");
  }
  return *bytes;
}

object CreationView(const CreationOptions& o) {
  array params;
  for (int64_t alg : {kCoseEs256, kCoseEdDsa, kCoseRs256}) {
    params.push_back(object{{"type", "public-key"}, {"alg", alg}});
  }
  array exclude;
  for (const std::string& id : o.exclude_credentials) {
    exclude.push_back(object{{"type", "public-key"}, {"id", id}});
  }
  return {
      {"challenge", o.challenge},
      {"rp", object{{"id", o.rp_id}, {"name", "Lethe"}}},
      {"user", object{{"id", o.user_id}, {"name", o.user_name}, {"displayName", o.display_name}}},
      {"pubKeyCredParams", std::move(params)},
      {"timeout", kPasskeyChallengeLifetimeMs},
      {"excludeCredentials", std::move(exclude)},
      {"authenticatorSelection", object{{"residentKey", "required"},
                                        {"requireResidentKey", true},
                                        {"userVerification", "required"}}},
      // The make of an authenticator is of no use here, and identifying.
      {"attestation", "none"}};
}

object RequestView(const RequestOptions& o) {
  return {{"challenge", o.challenge},
          {"rpId", o.rp_id},
          {"timeout", kPasskeyChallengeLifetimeMs},
          {"allowCredentials", array{}},
          {"userVerification", "required"}};
}

object PasskeyView(const PasskeyRecord& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"algorithm", p.cose_alg},
          {"created_at", FormatRfc3339(p.created_ms)},
          {"last_used_at", OptionalTime(p.last_used_ms)}};
}

Result<HttpResponse> BeginRegistration(Passkeys& passkeys, const Gate& gate, HttpRequest& req,
                                       const PasskeyOwner& owner) {
  LETHE_ASSIGN_OR_RETURN(RelyingParty rp, RelyingPartyOf(req, gate));
  LETHE_ASSIGN_OR_RETURN(CreationOptions o, passkeys.BeginRegistration(owner, rp));
  return NoStore(HttpResponse::Json(200, CreationView(o)));
}

Result<HttpResponse> Register(Passkeys& passkeys, const Gate& gate, HttpRequest& req,
                              const PasskeyOwner& owner, const std::string& base) {
  LETHE_ASSIGN_OR_RETURN(RelyingParty rp, RelyingPartyOf(req, gate));
  LETHE_ASSIGN_OR_RETURN(JsonFields body,
                         JsonBody(req, {"name", "id", "clientDataJSON", "attestationObject"}));
  Registration reg;
  LETHE_ASSIGN_OR_RETURN(reg.name, body.Required("name"));
  LETHE_ASSIGN_OR_RETURN(reg.credential_id, body.Required("id"));
  LETHE_ASSIGN_OR_RETURN(reg.client_data, Bytes(body, "clientDataJSON"));
  LETHE_ASSIGN_OR_RETURN(reg.attestation, Bytes(body, "attestationObject"));
  LETHE_ASSIGN_OR_RETURN(PasskeyRecord p,
                         passkeys.FinishRegistration(owner, rp, reg, OriginOf(req)));
  HttpResponse r = HttpResponse::Json(201, PasskeyView(p));
  r.SetHeader("Location", base + "/" + p.id);
  return r;
}

Result<HttpResponse> List(Passkeys& passkeys, const PasskeyOwner& owner) {
  LETHE_ASSIGN_OR_RETURN(auto list, passkeys.List(owner));
  array out;
  for (const PasskeyRecord& p : list) out.push_back(PasskeyView(p));
  return HttpResponse::Json(200, object{{"passkeys", std::move(out)}});
}

Result<HttpResponse> BeginSignIn(Passkeys& passkeys, const Gate& gate, HttpRequest& req,
                                 const std::string& kind) {
  LETHE_ASSIGN_OR_RETURN(RelyingParty rp, RelyingPartyOf(req, gate));
  LETHE_ASSIGN_OR_RETURN(RequestOptions o, passkeys.BeginSignIn(kind, rp));
  return NoStore(HttpResponse::Json(200, RequestView(o)));
}

// Checks the assertion in `req`'s body; returns the passkey that signed in.
Result<PasskeyRecord> FinishSignIn(Passkeys& passkeys, const Gate& gate, HttpRequest& req,
                                   const std::string& kind) {
  LETHE_ASSIGN_OR_RETURN(RelyingParty rp, RelyingPartyOf(req, gate));
  LETHE_ASSIGN_OR_RETURN(
      JsonFields body,
      JsonBody(req, {"id", "clientDataJSON", "authenticatorData", "signature", "userHandle"}));
  Assertion a;
  LETHE_ASSIGN_OR_RETURN(a.credential_id, body.Required("id"));
  LETHE_ASSIGN_OR_RETURN(a.client_data, Bytes(body, "clientDataJSON"));
  LETHE_ASSIGN_OR_RETURN(a.authenticator_data, Bytes(body, "authenticatorData"));
  LETHE_ASSIGN_OR_RETURN(a.signature, Bytes(body, "signature"));
  LETHE_ASSIGN_OR_RETURN(auto handle, body.Optional("userHandle"));
  if (handle && !handle->empty()) {
    auto bytes = Base64UrlDecode(*handle);
    if (!bytes) return Status::InvalidArgument("invalid-field", "userHandle: base64url bytes");
    a.user_handle = std::move(*bytes);
  }
  return passkeys.FinishSignIn(kind, rp, a, OriginOf(req));
}

PasskeyOwner CustomerOwner(const Caller& c) {
  const CustomerRecord& me = c.customer();
  return PasskeyOwner::Customer(me.id, me.email, me.name);
}

PasskeyOwner StaffOwner(const Caller& c) {
  return PasskeyOwner::Staff(c.staff().id, c.staff().name);
}

}  // namespace

void AddPasskeyRoutes(Router& router, Passkeys& passkeys, Customers& customers, Staff& staff,
                      const Gate& gate, const Clock& clock, uint64_t max_json_body) {
  const uint64_t kMax = max_json_body;
  // Customers, signed in (the portal's cookie or a Bearer session).
  router.Add("POST", "/v1/me/passkeys/options", Auth::kSession, kMax,
             [&](HttpRequest& req, const Caller& c) {
               return BeginRegistration(passkeys, gate, req, CustomerOwner(c));
             });
  router.Add("POST", "/v1/me/passkeys", Auth::kSession, kMax,
             [&](HttpRequest& req, const Caller& c) {
               return Register(passkeys, gate, req, CustomerOwner(c), "/v1/me/passkeys");
             });
  router.Add("GET", "/v1/me/passkeys", Auth::kSession, kMax,
             [&](HttpRequest&, const Caller& c) { return List(passkeys, CustomerOwner(c)); });
  router.Add(
      "DELETE", "/v1/me/passkeys/{id}", Auth::kSession, kMax,
      [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_RETURN_IF_ERROR(passkeys.Remove(CustomerOwner(c), req.Param("id"), OriginOf(req)));
        return HttpResponse::Empty(204);
      });

  // Customers signing in: the portal's (cookie) and the API's (token).
  router.Add("POST", "/v1/portal/passkey-sessions/options", Auth::kNone, kMax,
             [&](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
               LETHE_RETURN_IF_ERROR(CheckSameOrigin(req, gate.public_origin()));
               return BeginSignIn(passkeys, gate, req, kCustomer);
             });
  router.Add("POST", "/v1/portal/passkey-sessions", Auth::kNone, kMax,
             [&](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
               LETHE_RETURN_IF_ERROR(CheckSameOrigin(req, gate.public_origin()));
               LETHE_ASSIGN_OR_RETURN(PasskeyRecord p,
                                      FinishSignIn(passkeys, gate, req, kCustomer));
               LETHE_ASSIGN_OR_RETURN(IssuedSession session,
                                      customers.CompleteSignIn(p.owner_id, OriginOf(req)));
               LETHE_ASSIGN_OR_RETURN(CustomerRecord me, customers.Authenticate(session.token));
               return PortalSignedIn(me, session, clock);
             });
  router.Add(
      "POST", "/v1/sessions/passkey/options", Auth::kNone, kMax,
      [&](HttpRequest& req, const Caller&) { return BeginSignIn(passkeys, gate, req, kCustomer); });
  router.Add("POST", "/v1/sessions/passkey", Auth::kNone, kMax,
             [&](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(PasskeyRecord p,
                                      FinishSignIn(passkeys, gate, req, kCustomer));
               LETHE_ASSIGN_OR_RETURN(IssuedSession session,
                                      customers.CompleteSignIn(p.owner_id, OriginOf(req)));
               return HttpResponse::Json(201, IssuedSessionView(session));
             });

  // Staff members: their own passkeys, and signing in with one.
  const StaffAccess none = StaffAccess::NoCustomerData();
  router.AddStaff("POST", "/v1/staff/me/passkeys/options", AllStaffRoles(), none, kMax,
                  [&](HttpRequest& req, const Caller& c) {
                    return BeginRegistration(passkeys, gate, req, StaffOwner(c));
                  });
  router.AddStaff("POST", "/v1/staff/me/passkeys", AllStaffRoles(), none, kMax,
                  [&](HttpRequest& req, const Caller& c) {
                    return Register(passkeys, gate, req, StaffOwner(c), "/v1/staff/me/passkeys");
                  });
  router.AddStaff("GET", "/v1/staff/me/passkeys", AllStaffRoles(), none, kMax,
                  [&](HttpRequest&, const Caller& c) { return List(passkeys, StaffOwner(c)); });
  router.AddStaff(
      "DELETE", "/v1/staff/me/passkeys/{id}", AllStaffRoles(), none, kMax,
      [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_RETURN_IF_ERROR(passkeys.Remove(StaffOwner(c), req.Param("id"), OriginOf(req)));
        return HttpResponse::Empty(204);
      });
  // The staff console's (cookie), as the customers' portal sign-in.
  router.Add("POST", "/v1/staff/portal/passkey-sessions/options", Auth::kNone, kMax,
             [&](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
               LETHE_RETURN_IF_ERROR(CheckSameOrigin(req, gate.public_origin()));
               return BeginSignIn(passkeys, gate, req, kStaffKind);
             });
  router.Add(
      "POST", "/v1/staff/portal/passkey-sessions", Auth::kNone, kMax,
      [&](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
        LETHE_RETURN_IF_ERROR(CheckSameOrigin(req, gate.public_origin()));
        LETHE_ASSIGN_OR_RETURN(PasskeyRecord p, FinishSignIn(passkeys, gate, req, kStaffKind));
        LETHE_ASSIGN_OR_RETURN(StaffSession s, staff.CompleteSignIn(p.owner_id, OriginOf(req)));
        return StaffPortalSignedIn(staff, s, clock);
      });
  router.Add("POST", "/v1/staff/sessions/passkey/options", Auth::kNone, kMax,
             [&](HttpRequest& req, const Caller&) {
               return BeginSignIn(passkeys, gate, req, kStaffKind);
             });
  router.Add(
      "POST", "/v1/staff/sessions/passkey", Auth::kNone, kMax,
      [&](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
        LETHE_ASSIGN_OR_RETURN(PasskeyRecord p, FinishSignIn(passkeys, gate, req, kStaffKind));
        LETHE_ASSIGN_OR_RETURN(StaffSession s, staff.CompleteSignIn(p.owner_id, OriginOf(req)));
        return HttpResponse::Json(
            201, object{{"token", s.token}, {"expires_at", FormatRfc3339(s.expires_ms)}});
      });
}

}  // namespace lethe
