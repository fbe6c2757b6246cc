// Gate: the auth every route declares, applied before its handler runs.
//
// A route names one Auth; the router asks the Gate to admit each request
// to it and hands the handler the resulting Caller, so a handler never
// reads credentials itself. Data-plane requests (ACC-2, USE-1) are metered
// here too: once their credential checks out, the request is armed to
// record a usage event with its final status, whatever the outcome (an
// error from the handler, an upload whose body stops arriving, a 5xx). A
// route declared data-plane therefore cannot forget its usage event, and
// a request whose credential does not check out never reaches its handler
// and is not recorded (there is no account to attribute it to).
//
// Admit calls into the stores (credential lookups, a key's last use): it
// runs on the server's blocking pool like the handlers.
#pragma once

#include <optional>
#include <utility>

#include "common/status.h"
#include "domain/access_grants.h"
#include "domain/accounts.h"
#include "domain/customers.h"
#include "domain/media_links.h"
#include "domain/staff.h"
#include "domain/suspensions.h"
#include "domain/upload_tokens.h"
#include "domain/usage_ledger.h"
#include "http/exchange.h"
#include "ports/records.h"

namespace lethe {

enum class Auth {
  kNone,  // anyone: sign-up, sign-in, health, metrics
  // The customer console: "Authorization: Bearer <session token>", or,
  // from the portal, the session cookie with CSRF checks on unsafe
  // methods (browser_session.h).
  kSession,
  // An account's own apps: its API token (Bearer) or an API key (Basic
  // key_id:secret). Metered.
  kDataPlane,
  // A signed media link (query parameters account, expires, sig) granting
  // the media the route's {id} names; without `sig`, as kDataPlane.
  // Metered.
  kSignedLink,
  // Staff routes (Router::AddStaff): a staff session token,
  // "Authorization: Bearer <token>", or, from the staff console, the staff
  // session cookie when there is no Authorization header (with the CSRF
  // checks on unsafe methods, browser_session.h), whose role is among the
  // route's roles
  // (else 403), and, on a route that touches customer data, an access
  // grant on the account (else 403 no-access-grant; staff_access.h).
  // Staff tokens open nothing else, and no customer credential opens these.
  kStaff,
  // Either a customer's session token (a Bearer token starting "ses_", or
  // the session cookie when there is no Authorization header) or an
  // account's data-plane credential, metered as kDataPlane: for routes a
  // customer and its apps both call (consents).
  kSessionOrDataPlane,
  // As kDataPlane, or a delegated upload token ("Authorization: Bearer
  // lut_...", upload_tokens.h), which opens these routes only (adding
  // media); on every other route it is an unknown credential (401).
  kUpload,
};

// The header with which a signed-in customer acts for one of its own
// accounts on the routes that open to other origins (the data plane,
// signed-link routes without `sig`, kSessionOrDataPlane, kUpload): the
// portal's media library, erasures and usage pages. See Gate::Admit.
inline constexpr const char* kActingAccountHeader = "lethe-account";

// Whether a route of this Auth may be called from another origin's page
// (CORS, cors.h): the data plane and signed links, never the customer
// console or staff routes.
bool OpensToOtherOrigins(Auth auth);

// Who is calling, as the route's Auth established it.
class Caller {
 public:
  Caller() = default;  // Auth::kNone
  // A customer signed in with `session_token` (a Bearer token or the
  // session cookie's).
  Caller(CustomerRecord customer, std::string session_token)
      : customer_(std::move(customer)), session_token_(std::move(session_token)) {}
  explicit Caller(Principal principal) : principal_(std::move(principal)) {}
  // A staff member signed in with `session_token` (Bearer or cookie).
  Caller(StaffPrincipal staff, std::string session_token)
      : session_token_(std::move(session_token)), staff_(std::move(staff)) {}
  Caller(Principal principal, UploadGrant grant)
      : principal_(std::move(principal)), upload_grant_(std::move(grant)) {}

  // The signed-in customer (Auth::kSession routes). Throws std::logic_error
  // on a route declared otherwise: a wiring bug, answered 500.
  const CustomerRecord& customer() const;
  // The session token the customer (or, on Auth::kStaff routes, the staff
  // member) signed in with (sign-out, the session list's "current"). Throws
  // like customer() on other routes.
  const std::string& session_token() const;
  // The account and credential (Auth::kDataPlane and kSignedLink routes;
  // credential_id is "link" for a signed link). Throws like customer().
  const Principal& principal() const;
  // The staff member (Auth::kStaff routes). Throws like customer().
  const StaffPrincipal& staff() const;
  // Which of them the caller is (Auth::kSessionOrDataPlane routes).
  bool is_customer() const { return customer_.has_value(); }
  bool is_principal() const { return principal_.has_value(); }
  // The upload token the caller holds (Auth::kUpload), or null for an
  // account credential.
  const UploadGrant* upload_grant() const { return upload_grant_ ? &*upload_grant_ : nullptr; }
  // Who acts, typed for the domain and the audit chain: the customer, the
  // account credential or the staff member. Throws std::logic_error on an
  // Auth::kNone route (nobody acts there).
  Actor actor() const;

 private:
  std::optional<CustomerRecord> customer_;
  std::string session_token_;
  std::optional<Principal> principal_;
  std::optional<StaffPrincipal> staff_;
  std::optional<UploadGrant> upload_grant_;
};

class StaffAccess;

class Gate {
 public:
  // `staff` may be null: Auth::kStaff is then refused (401); likewise
  // `upload_tokens` (upload tokens are then unknown credentials). `grants`
  // may be null: every grant-checked staff route is then refused (403).
  Gate(Customers& customers, Accounts& accounts, UsageLedger& usage, const MediaLinks& links,
       Staff* staff = nullptr, UploadTokens* upload_tokens = nullptr,
       AccessGrants* grants = nullptr)
      : customers_(customers),
        accounts_(accounts),
        usage_(usage),
        links_(links),
        staff_(staff),
        upload_tokens_(upload_tokens),
        grants_(grants) {}
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  // Suspended accounts (ADM-1): with it, a metered request of a suspended
  // account is refused (PermissionDenied "account-suspended") once its
  // usage event is armed. Set before serving; may stay unset.
  void SetSuspensions(Suspensions* suspensions) { suspensions_ = suspensions; }
  // The origin the portal is served from (canonical, from --public-url),
  // which cookie-authenticated unsafe requests must come from; empty: the
  // request's own Host (browser_session.h). Set before serving.
  void SetPublicOrigin(std::string origin) { public_origin_ = std::move(origin); }
  const std::string& public_origin() const { return public_origin_; }

  // Applies `auth` to `req`. Returns the caller, or Unauthenticated when
  // the credentials are missing, malformed, unknown, expired or revoked.
  // A session by cookie (no Authorization header) on an unsafe method is
  // first checked by CheckCsrf: PermissionDenied("csrf-refused").
  // On metered routes, once the caller is known, sets req.end_user from the
  // `end_user` query parameter or the Lethe-End-User header and arms
  // req.on_finished; returns InvalidArgument("invalid-field") (still
  // recorded, without an end user) when that end user is not UTF-8 text of
  // 256 bytes or less; then PermissionDenied("account-suspended") while the
  // account is suspended. Auth::kStaff admits only the roles in `roles`:
  // PermissionDenied ("forbidden") for a known staff member without one;
  // then, when `access` (required for kStaff) checks a grant, finds the
  // account (InvalidArgument or NotFound as AccountFrom::Find says) and
  // uses the member's grant on it, logging the request:
  // PermissionDenied("no-access-grant") without one.
  // A request admitted as an account's (data plane, signed link, upload
  // token) that carries an Origin header is refused with PermissionDenied
  // ("origin-not-allowed", recorded, the handler not run) unless the
  // account allows that origin; when it does, req.allowed_origin is set
  // and the response opens to it (cors.h).
  // A request with the Lethe-Account header on a route that opens to other
  // origins (but a signed link with `sig`) is a customer acting for that
  // account instead: its credential must be a customer session (a Bearer
  // "ses_" token, or the cookie with CheckCsrf on unsafe methods), else
  // Unauthenticated; a request from a page (an Origin header) must come
  // from this server's own origin, whatever its method
  // (PermissionDenied "csrf-refused"); an account the customer does not
  // own is NotFound, as one that does not exist. It is then admitted as the
  // account's Principal with credential_id the session's id (sid_...) and
  // acting_customer set, metered and suspension-checked as any data-plane
  // request, but never opened to another origin: the account's allowed
  // origins do not apply and req.allowed_origin stays empty (browsers
  // cannot send the header from another origin anyway: it is not in
  // kCorsAllowedHeaders, so their preflight is refused).
  Result<Caller> Admit(Auth auth, HttpRequest& req, StaffRoles roles = {},
                       const StaffAccess* access = nullptr);

  // The account the signed link in `req` names, once its signature and
  // expiry check out (a preflight's, whose route params are filled).
  // Unauthenticated otherwise.
  Result<AccountRecord> LinkAccount(const HttpRequest& req);
  Accounts& accounts() { return accounts_; }

 private:
  Result<Principal> DataPlaneCredential(const HttpRequest& req);
  // The customer session of `req`: its Bearer token, or, without an
  // Authorization header, its session cookie after the CSRF checks.
  // Sets `*session_id` to the session's id when given.
  Result<Caller> SessionCaller(const HttpRequest& req, std::string* session_id = nullptr);
  // A customer acting for the account Lethe-Account names (Admit).
  Result<Caller> ActingCustomer(HttpRequest& req);
  Result<Principal> LinkCredential(const HttpRequest& req);
  Status Meter(HttpRequest& req, const Principal& who);
  Status CheckOrigin(HttpRequest& req, const Principal& who);
  // Meter, then the account's suspension.
  Status MeterAndCheck(HttpRequest& req, const Principal& who);
  Status CheckGrant(const StaffPrincipal& who, const StaffAccess& access, const HttpRequest& req);

  Customers& customers_;
  Accounts& accounts_;
  UsageLedger& usage_;
  const MediaLinks& links_;
  Staff* staff_;
  UploadTokens* upload_tokens_;
  Suspensions* suspensions_ = nullptr;
  AccessGrants* grants_;
  std::string public_origin_;
};

}  // namespace lethe
