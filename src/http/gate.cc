#include "http/gate.h"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <stdexcept>

#include "common/utf8.h"
#include "domain/web_origins.h"
#include "http/api_support.h"
#include "http/browser_session.h"
#include "http/staff_access.h"

namespace lethe {

const CustomerRecord& Caller::customer() const {
  if (!customer_) throw std::logic_error("the route is not declared Auth::kSession");
  return *customer_;
}

const std::string& Caller::session_token() const {
  if (!customer_ && !staff_) throw std::logic_error("the route is not declared Auth::kSession");
  return session_token_;
}

const Principal& Caller::principal() const {
  if (!principal_) throw std::logic_error("the route is not declared a data-plane route");
  return *principal_;
}

const StaffPrincipal& Caller::staff() const {
  if (!staff_) throw std::logic_error("the route is not declared Auth::kStaff");
  return *staff_;
}

Actor Caller::actor() const {
  if (customer_) return Actor::Customer(customer_->id);
  if (principal_) return principal_->actor();
  if (staff_) return staff_->actor();
  throw std::logic_error("nobody acts on an Auth::kNone route");
}

bool OpensToOtherOrigins(Auth auth) {
  switch (auth) {
    case Auth::kDataPlane:
    case Auth::kSignedLink:
    case Auth::kSessionOrDataPlane:
    case Auth::kUpload:
      return true;
    case Auth::kNone:
    case Auth::kSession:
    case Auth::kStaff:
      return false;
  }
  return false;
}

Result<Caller> Gate::Admit(Auth auth, HttpRequest& req, StaffRoles roles,
                           const StaffAccess* access) {
  if (OpensToOtherOrigins(auth) && !req.Header(kActingAccountHeader).empty() &&
      !(auth == Auth::kSignedLink && req.Query("sig").has_value())) {
    return ActingCustomer(req);
  }
  switch (auth) {
    case Auth::kNone:
      return Caller();
    case Auth::kSession:
      return SessionCaller(req);
    case Auth::kSessionOrDataPlane: {
      auto token = BearerToken(req);
      if (token && token->rfind("ses_", 0) == 0) return SessionCaller(req);
      if (req.Header("authorization").empty() && SessionCookie(req)) return SessionCaller(req);
      return Admit(Auth::kDataPlane, req, roles);
    }
    case Auth::kDataPlane: {
      LETHE_ASSIGN_OR_RETURN(Principal who, DataPlaneCredential(req));
      LETHE_RETURN_IF_ERROR(MeterAndCheck(req, who));
      LETHE_RETURN_IF_ERROR(CheckOrigin(req, who));
      return Caller(std::move(who));
    }
    case Auth::kUpload: {
      auto token = BearerToken(req);
      if (!token || !UploadTokens::LooksLikeUploadToken(*token)) {
        return Admit(Auth::kDataPlane, req, roles);
      }
      if (upload_tokens_ == nullptr)
        return Status::Unauthenticated("upload tokens are not enabled");
      LETHE_ASSIGN_OR_RETURN(auto admitted, upload_tokens_->Authenticate(*token));
      auto& [who, grant] = admitted;
      Status named = MeterAndCheck(req, who);  // a suspended account uploads nothing either
      // The token names the end user, whatever the request says.
      req.end_user = grant.token.end_user;
      LETHE_RETURN_IF_ERROR(named);
      LETHE_RETURN_IF_ERROR(CheckOrigin(req, who));
      return Caller(std::move(who), std::move(grant));
    }
    case Auth::kSignedLink: {
      bool link = req.Query("sig").has_value();
      LETHE_ASSIGN_OR_RETURN(Principal who, link ? LinkCredential(req) : DataPlaneCredential(req));
      LETHE_RETURN_IF_ERROR(MeterAndCheck(req, who));
      // A link names no end user: the handler records the media's own.
      if (link) req.end_user.clear();
      LETHE_RETURN_IF_ERROR(CheckOrigin(req, who));
      return Caller(std::move(who));
    }
    case Auth::kStaff: {
      auto token = BearerToken(req);
      if (!token && req.Header("authorization").empty()) {
        // The staff console: its own cookie, never the customer's.
        token = StaffSessionCookie(req);
        if (token) LETHE_RETURN_IF_ERROR(CheckCsrf(req, *token, public_origin_));
      }
      if (!token || staff_ == nullptr) {
        return Status::Unauthenticated("a staff session token is required");
      }
      LETHE_ASSIGN_OR_RETURN(StaffPrincipal who, staff_->Authenticate(*token));
      if (!roles.Has(who.role)) {
        return Status::PermissionDenied("this route is not open to the " +
                                        std::string(StaffRoleName(who.role)) + " role");
      }
      // Undeclared is a wiring bug (Router::AddStaff always declares).
      if (access == nullptr) return Status::Internal("staff route without declared access");
      LETHE_RETURN_IF_ERROR(CheckGrant(who, *access, req));
      return Caller(std::move(who), std::move(*token));
    }
  }
  return Status::Internal("unknown auth kind");
}

// The one place a staff request meets its grant: the account is found
// where the route declared it, and AccessGrants::Use finds the grant and
// logs the request in one transaction, before any handler runs.
Status Gate::CheckGrant(const StaffPrincipal& who, const StaffAccess& access,
                        const HttpRequest& req) {
  if (!access.checks_grant()) return Status::Ok();
  LETHE_ASSIGN_OR_RETURN(std::string account_id, access.account().Find(req));
  if (grants_ == nullptr) {
    return Status(Status::Code::kPermissionDenied, "no-access-grant", "no access grants here");
  }
  const std::string path = req.target.substr(0, req.target.find('?'));
  return StatusOf(grants_->Use(who, account_id, access.scope(), {req.method, req.route, path}));
}

// The portal's way onto the data plane: the person signed in acts for one
// of its own accounts, and is named as the actor; the usage event records
// the session's id as the credential, so the account's usage says which
// accesses came from the portal (metering stays: every access counts).
Result<Caller> Gate::ActingCustomer(HttpRequest& req) {
  // Only a session: beside an account credential the header would leave
  // it ambiguous which account acts.
  auto bearer = BearerToken(req);
  if (!req.Header("authorization").empty() && !(bearer && bearer->rfind("ses_", 0) == 0)) {
    return Status::Unauthenticated("Lethe-Account goes with a customer session");
  }
  std::string session_id;
  LETHE_ASSIGN_OR_RETURN(Caller customer, SessionCaller(req, &session_id));
  // Safe methods escape CheckCsrf, but a page of another origin must not
  // act through the customer even to read.
  if (!req.Header("origin").empty()) LETHE_RETURN_IF_ERROR(CheckSameOrigin(req, public_origin_));
  const std::string& customer_id = customer.customer().id;
  auto account = accounts_.Get(customer_id, req.Header(kActingAccountHeader));
  if (!account.ok()) {
    // Another customer's account is as absent as one that never was.
    if (account.status().code() == Status::Code::kNotFound) {
      return Status::NotFound("no such account");
    }
    return account.status();
  }
  // A closed account's credentials are gone (ACC-10); the portal takes
  // nothing more into it either.
  if (account->closed_ms)
    return Status::FailedPrecondition("account-closed", "the account is closed");
  Principal who{std::move(*account), session_id.empty() ? "portal" : session_id, customer_id};
  LETHE_RETURN_IF_ERROR(MeterAndCheck(req, who));
  return Caller(std::move(who));
}

Result<Caller> Gate::SessionCaller(const HttpRequest& req, std::string* session_id) {
  std::optional<std::string> token = BearerToken(req);
  if (!token && req.Header("authorization").empty()) {
    token = SessionCookie(req);
    // Checked before the session is looked up: a forged request touches
    // nothing, not even the session's last use.
    if (token) LETHE_RETURN_IF_ERROR(CheckCsrf(req, *token, public_origin_));
  }
  if (!token) return Status::Unauthenticated("a session token is required");
  LETHE_ASSIGN_OR_RETURN(CustomerRecord customer, customers_.Authenticate(*token, session_id));
  return Caller(std::move(customer), std::move(*token));
}

Result<Principal> Gate::DataPlaneCredential(const HttpRequest& req) {
  if (auto token = BearerToken(req)) return accounts_.AuthenticateToken(*token);
  auto basic = BasicCredentials(req);
  if (basic.ok()) return accounts_.AuthenticateKey(basic->first, basic->second, req.remote_ip);
  if (basic.status().code() != Status::Code::kNotFound) return basic.status();
  return Status::Unauthenticated("an API token or key is required");
}

// A page on another origin reads the answer only when the account lists
// that origin; one not listed is refused before the handler runs, so a
// credential that leaked into some other site's page cannot act from it.
// Non-browser clients send no Origin and are not concerned.
Status Gate::CheckOrigin(HttpRequest& req, const Principal& who) {
  const std::string& origin = req.Header("origin");
  if (origin.empty()) return Status::Ok();
  const Status refused(Status::Code::kPermissionDenied, "origin-not-allowed",
                       "the account does not allow requests from this origin");
  auto canonical = CanonicalOrigin(origin);
  if (!canonical.ok()) return refused;
  LETHE_ASSIGN_OR_RETURN(std::vector<std::string> allowed,
                         accounts_.AllowedOrigins(who.account.id));
  if (std::find(allowed.begin(), allowed.end(), *canonical) == allowed.end()) return refused;
  req.allowed_origin = origin;
  return Status::Ok();
}

Result<AccountRecord> Gate::LinkAccount(const HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(Principal who, LinkCredential(req));
  return std::move(who.account);
}

// A signed link names its account and grants the one media object the
// route's {id} names.
Result<Principal> Gate::LinkCredential(const HttpRequest& req) {
  MediaLink link{req.Query("account").value_or(""), req.Param("id"), 0,
                 req.Query("sig").value_or("")};
  const std::string expires = req.Query("expires").value_or("");
  auto [ptr, ec] =
      std::from_chars(expires.data(), expires.data() + expires.size(), link.expires_ms);
  if (ec != std::errc() || ptr != expires.data() + expires.size()) {
    return Status::Unauthenticated("the link is malformed");
  }
  LETHE_RETURN_IF_ERROR(links_.Check(link));
  auto account = accounts_.FindForLink(link.account_id);
  if (!account.ok()) return Status::Unauthenticated("the link is not valid");
  return Principal{*account, "link"};
}

Status Gate::MeterAndCheck(HttpRequest& req, const Principal& who) {
  Status metered = Meter(req, who);
  // Refused after metering: the refusal is the account's usage too.
  if (suspensions_ != nullptr) LETHE_RETURN_IF_ERROR(suspensions_->Check(who.account.id));
  return metered;
}

Status Gate::Meter(HttpRequest& req, const Principal& who) {
  if (auto q = req.Query("end_user")) {
    req.end_user = *q;
  } else {
    req.end_user = req.Header("lethe-end-user");
  }
  Status named = Status::Ok();
  if (req.end_user.size() > 256 || !IsValidUtf8(req.end_user)) {
    req.end_user.clear();
    named = Status::InvalidArgument("invalid-field",
                                    "end_user must be UTF-8 text of 256 bytes or less");
  }
  // Record() only queues (the ledger writes behind), so this may run on a
  // network thread.
  req.on_finished = [this, &req, who](int status) {
    Status st = usage_.Record(who, req.end_user, OriginOf(req), req.method, req.route, status);
    // Logged by request id only: nothing personal.
    if (!st.ok()) std::cerr << "lethe: usage event not queued for " << req.request_id << "\n";
  };
  return named;
}

}  // namespace lethe
