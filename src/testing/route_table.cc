#include "testing/route_table.h"

#include <boost/json.hpp>

namespace lethe {
namespace {

const char* AuthName(Auth auth) {
  switch (auth) {
    case Auth::kNone:
      return "none";
    case Auth::kSession:
      return "session";
    case Auth::kDataPlane:
      return "data-plane";
    case Auth::kSignedLink:
      return "signed-link";
    case Auth::kStaff:
      return "staff";
    case Auth::kSessionOrDataPlane:
      return "session-or-data-plane";
    case Auth::kUpload:
      return "upload";
  }
  return "unknown";
}

boost::json::object RouteView(const Route& r) {
  boost::json::object o{{"method", r.method}, {"pattern", r.pattern}, {"auth", AuthName(r.auth)}};
  boost::json::array roles;
  for (StaffRole role :
       {StaffRole::kSupport, StaffRole::kSecurity, StaffRole::kLegal, StaffRole::kAdmin}) {
    if (r.staff_roles.Has(role)) roles.push_back(boost::json::string(StaffRoleName(role)));
  }
  o["staff_roles"] = std::move(roles);
  o["access"] = nullptr;
  o["account_from"] = nullptr;
  o["scope"] = nullptr;
  if (r.staff_access) {
    if (r.staff_access->checks_grant()) {
      o["access"] = "grant";
      o["account_from"] = r.staff_access->account().Describe();
      o["scope"] = std::string(GrantScopeName(r.staff_access->scope()));
    } else {
      o["access"] = "no-customer-data";
    }
  }
  return o;
}

}  // namespace

void AddRouteTableRoute(Router& router) {
  router.Add("GET", "/_test/routes", Auth::kNone, 0,
             [&router](HttpRequest&, const Caller&) -> Result<HttpResponse> {
               boost::json::array routes;
               for (const Route& r : router.routes()) routes.push_back(RouteView(r));
               return HttpResponse::Json(200, boost::json::object{{"routes", std::move(routes)}});
             });
}

}  // namespace lethe
