#include "http/staff_account_api.h"

#include <boost/json.hpp>
#include <utility>

#include "common/time_format.h"
#include "http/api_support.h"

namespace lethe {

void AddStaffAccountRoutes(Router& router, Closures& closures, const ErasureReceipts& receipts,
                           uint64_t max_json_body, std::function<void()> after_removal) {
  router.AddStaff(
      "POST", "/v1/staff/accounts/{id}/underage", StaffAccountRoles(),
      StaffAccess::CustomerData(AccountFrom::PathParam("id"), GrantScope::kAccount), max_json_body,
      [&closures, &receipts, after = std::move(after_removal)](
          HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_ASSIGN_OR_RETURN(CustomerClosure closure,
                               closures.RemoveUnderage(c.actor(), req.Param("id"), OriginOf(req)));
        if (after) after();
        boost::json::array erasures;
        for (const ErasureRecord& e : closure.erasures) erasures.push_back(receipts.Seal(e));
        return HttpResponse::Json(
            202, boost::json::object{{"closed_at", FormatRfc3339(closure.closed_ms)},
                                     {"erasures", std::move(erasures)}});
      });
}

}  // namespace lethe
