#include "http/gate.h"

#include <charconv>
#include <iostream>
#include <stdexcept>

#include "common/utf8.h"
#include "http/api_support.h"

namespace lethe {

const CustomerRecord& Caller::customer() const {
  if (!customer_) throw std::logic_error("the route is not declared Auth::kSession");
  return *customer_;
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

Result<Caller> Gate::Admit(Auth auth, HttpRequest& req, StaffRoles roles) {
  switch (auth) {
    case Auth::kNone:
      return Caller();
    case Auth::kSession: {
      auto token = BearerToken(req);
      if (!token) return Status::Unauthenticated("a session token is required");
      LETHE_ASSIGN_OR_RETURN(CustomerRecord customer, customers_.Authenticate(*token));
      return Caller(std::move(customer));
    }
    case Auth::kSessionOrDataPlane: {
      auto token = BearerToken(req);
      if (token && token->rfind("ses_", 0) == 0) return Admit(Auth::kSession, req, roles);
      return Admit(Auth::kDataPlane, req, roles);
    }
    case Auth::kDataPlane: {
      LETHE_ASSIGN_OR_RETURN(Principal who, DataPlaneCredential(req));
      LETHE_RETURN_IF_ERROR(Meter(req, who));
      return Caller(std::move(who));
    }
    case Auth::kSignedLink: {
      bool link = req.Query("sig").has_value();
      LETHE_ASSIGN_OR_RETURN(Principal who, link ? LinkCredential(req) : DataPlaneCredential(req));
      LETHE_RETURN_IF_ERROR(Meter(req, who));
      // A link names no end user: the handler records the media's own.
      if (link) req.end_user.clear();
      return Caller(std::move(who));
    }
    case Auth::kStaff: {
      auto token = BearerToken(req);
      if (!token || staff_ == nullptr) return Status::Unauthenticated("a staff token is required");
      LETHE_ASSIGN_OR_RETURN(StaffPrincipal who, staff_->Authenticate(*token));
      if (!roles.Has(who.role)) {
        return Status::PermissionDenied("this route is not open to the " +
                                        std::string(StaffRoleName(who.role)) + " role");
      }
      return Caller(std::move(who));
    }
  }
  return Status::Internal("unknown auth kind");
}

Result<Principal> Gate::DataPlaneCredential(const HttpRequest& req) {
  if (auto token = BearerToken(req)) return accounts_.AuthenticateToken(*token);
  auto basic = BasicCredentials(req);
  if (basic.ok()) return accounts_.AuthenticateKey(basic->first, basic->second, req.remote_ip);
  if (basic.status().code() != Status::Code::kNotFound) return basic.status();
  return Status::Unauthenticated("an API token or key is required");
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
