// StaffAccess: what every staff route declares about customer data (USE-4,
// SEC-1), so that no staff handler can touch an account without a grant.
//
// Router::AddStaff requires one of two declarations:
//   - StaffAccess::CustomerData(AccountFrom..., GrantScope): the route
//     touches one account's data. Before its handler runs, the Gate finds
//     the account where the declaration says (a path parameter, a JSON
//     body field, a query parameter, or the account of the record a path
//     parameter names) and asks AccessGrants::Use for an active grant of
//     the calling staff member on it with that scope; Use writes the
//     access log entry in the same step. No grant: 403 no-access-grant,
//     whatever the role, and the handler never runs.
//   - StaffAccess::NoCustomerData(): the route touches no customer's data.
//     It must then be on NoCustomerDataRoutes(), the short named list
//     below; the router refuses to start otherwise.
//
// Adding a staff route is therefore a choice between the two, made where
// the route is registered, e.g.:
//   router.AddStaff("POST", "/v1/staff/accounts/{id}/thing", roles,
//                   StaffAccess::CustomerData(AccountFrom::PathParam("id"),
//                                             GrantScope::kAccount), ...);
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "domain/access_grants.h"
#include "http/exchange.h"

namespace lethe {

// Where a staff route finds the id of the account it touches.
class AccountFrom {
 public:
  enum class Kind { kPathParam, kBodyField, kQueryParam, kRecord };
  // The account of a record: NotFound when the record does not exist.
  using Resolver = std::function<Result<std::string>(const std::string& record_id)>;

  // The path parameter `name` is the account id.
  static AccountFrom PathParam(std::string name);
  // The JSON body's string field `name` is the account id.
  static AccountFrom BodyField(std::string name);
  // The query parameter `name` is the account id (required).
  static AccountFrom QueryParam(std::string name);
  // The path parameter `param` names a record of kind `record` (e.g.
  // "legal_hold"); `resolve` gives its account.
  static AccountFrom Record(std::string param, std::string record, Resolver resolve);

  // The account id of `req`. InvalidArgument("invalid-field") when the
  // parameter or field is missing or empty; the resolver's error (NotFound
  // for an unknown record).
  Result<std::string> Find(const HttpRequest& req) const;

  Kind kind() const { return kind_; }
  const std::string& name() const { return name_; }      // parameter or field
  const std::string& record() const { return record_; }  // kRecord only
  // "path:id", "body:account", "query:account", "record:legal_hold:id".
  std::string Describe() const;

 private:
  AccountFrom(Kind kind, std::string name) : kind_(kind), name_(std::move(name)) {}
  Kind kind_;
  std::string name_;
  std::string record_;
  Resolver resolve_;
};

class StaffAccess {
 public:
  // The route touches one account's data, found by `account`, and needs a
  // grant on it with `scope`.
  static StaffAccess CustomerData(AccountFrom account, GrantScope scope) {
    return StaffAccess(std::move(account), scope);
  }
  // The route touches no customer's data: it must be on
  // NoCustomerDataRoutes().
  static StaffAccess NoCustomerData() { return StaffAccess(); }

  bool checks_grant() const { return account_.has_value(); }
  // checks_grant() only.
  const AccountFrom& account() const { return *account_; }
  GrantScope scope() const { return scope_; }

 private:
  StaffAccess() = default;
  StaffAccess(AccountFrom account, GrantScope scope)
      : account_(std::move(account)), scope_(scope) {}
  std::optional<AccountFrom> account_;
  GrantScope scope_ = GrantScope::kAccount;
};

// One entry of the list of staff routes that touch no customer data.
struct NoCustomerDataRoute {
  std::string_view method;
  std::string_view pattern;
  std::string_view why;
};

// The list itself: every staff route declared NoCustomerData, and why.
std::span<const NoCustomerDataRoute> NoCustomerDataRoutes();
// True when `method` `pattern` is on that list.
bool IsNoCustomerDataRoute(std::string_view method, std::string_view pattern);

}  // namespace lethe
