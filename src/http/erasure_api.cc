#include "http/erasure_api.h"

#include <boost/json.hpp>

#include "http/api_support.h"

namespace lethe {

void AddErasureRoutes(Router& router, Erasures& erasures, const ErasureReceipts& receipts,
                      uint64_t max_json_body) {
  router.Add("DELETE", "/v1/end-users/{ref}", Auth::kDataPlane, max_json_body,
             [&erasures, &receipts](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               // The usage event of this request must not name whom it erased.
               req.end_user.clear();
               LETHE_ASSIGN_OR_RETURN(
                   ErasureRecord e,
                   erasures.EraseEndUser(c.principal(), req.Param("ref"), OriginOf(req)));
               HttpResponse r = HttpResponse::Json(202, receipts.Seal(e));
               r.SetHeader("Location", "/v1/erasures/" + e.id);
               return r;
             });
  router.Add("GET", "/v1/erasures/{id}", Auth::kDataPlane, max_json_body,
             [&erasures, &receipts](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(ErasureRecord e,
                                      erasures.Get(c.principal().account.id, req.Param("id")));
               return HttpResponse::Json(200, receipts.Seal(e));
             });
}

}  // namespace lethe
