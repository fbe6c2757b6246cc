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
#include "domain/accounts.h"
#include "domain/customers.h"
#include "domain/media_links.h"
#include "domain/staff.h"
#include "domain/usage_ledger.h"
#include "http/exchange.h"
#include "ports/records.h"

namespace lethe {

enum class Auth {
  kNone,     // anyone: sign-up, sign-in, health, metrics
  kSession,  // the customer console: "Authorization: Bearer <session token>"
  // An account's own apps: its API token (Bearer) or an API key (Basic
  // key_id:secret). Metered.
  kDataPlane,
  // A signed media link (query parameters account, expires, sig) granting
  // the media the route's {id} names; without `sig`, as kDataPlane.
  // Metered.
  kSignedLink,
  // Staff routes (Router::AddStaff): a staff token, "Authorization: Bearer
  // <token>", whose role is among the route's roles (else 403). Staff
  // tokens open nothing else, and no customer credential opens these.
  kStaff,
  // Either a customer's session token (a Bearer token starting "ses_") or
  // an account's data-plane credential, metered as kDataPlane: for routes
  // a customer and its apps both call (consents).
  kSessionOrDataPlane,
};

// Who is calling, as the route's Auth established it.
class Caller {
 public:
  Caller() = default;  // Auth::kNone
  explicit Caller(CustomerRecord customer) : customer_(std::move(customer)) {}
  explicit Caller(Principal principal) : principal_(std::move(principal)) {}
  explicit Caller(StaffPrincipal staff) : staff_(std::move(staff)) {}

  // The signed-in customer (Auth::kSession routes). Throws std::logic_error
  // on a route declared otherwise: a wiring bug, answered 500.
  const CustomerRecord& customer() const;
  // The account and credential (Auth::kDataPlane and kSignedLink routes;
  // credential_id is "link" for a signed link). Throws like customer().
  const Principal& principal() const;
  // The staff member (Auth::kStaff routes). Throws like customer().
  const StaffPrincipal& staff() const;
  // Which of them the caller is (Auth::kSessionOrDataPlane routes).
  bool is_customer() const { return customer_.has_value(); }
  bool is_principal() const { return principal_.has_value(); }
  // Who acts, typed for the domain and the audit chain: the customer, the
  // account credential or the staff member. Throws std::logic_error on an
  // Auth::kNone route (nobody acts there).
  Actor actor() const;

 private:
  std::optional<CustomerRecord> customer_;
  std::optional<Principal> principal_;
  std::optional<StaffPrincipal> staff_;
};

class Gate {
 public:
  // `staff` may be null: Auth::kStaff is then refused (401).
  Gate(Customers& customers, Accounts& accounts, UsageLedger& usage, const MediaLinks& links,
       Staff* staff = nullptr)
      : customers_(customers), accounts_(accounts), usage_(usage), links_(links), staff_(staff) {}
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  // Applies `auth` to `req`. Returns the caller, or Unauthenticated when
  // the credentials are missing, malformed, unknown, expired or revoked.
  // On metered routes, once the caller is known, sets req.end_user from the
  // `end_user` query parameter or the Lethe-End-User header and arms
  // req.on_finished; returns InvalidArgument("invalid-field") (still
  // recorded, without an end user) when that end user is not UTF-8 text of
  // 256 bytes or less. Auth::kStaff admits only the roles in `roles`:
  // PermissionDenied ("forbidden") for a known staff member without one.
  Result<Caller> Admit(Auth auth, HttpRequest& req, StaffRoles roles = {});

 private:
  Result<Principal> DataPlaneCredential(const HttpRequest& req);
  Result<Principal> LinkCredential(const HttpRequest& req);
  Status Meter(HttpRequest& req, const Principal& who);

  Customers& customers_;
  Accounts& accounts_;
  UsageLedger& usage_;
  const MediaLinks& links_;
  Staff* staff_;
};

}  // namespace lethe
