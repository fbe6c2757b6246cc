#include "http/closure_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/erasure_api.h"

namespace lethe {

void AddClosureRoutes(Router& router, Closures& closures, const ErasureReceipts& receipts,
                      uint64_t max_json_body) {
  router.Add("DELETE", "/v1/accounts/{id}", Auth::kSession, max_json_body,
             [&closures, &receipts](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(
                   ErasureRecord e,
                   closures.CloseAccount(c.customer().id, req.Param("id"), OriginOf(req)));
               HttpResponse r = HttpResponse::Json(202, receipts.Seal(e));
               r.SetHeader("Location", "/v1/erasures/" + e.id);
               return r;
             });
  router.Add("GET", "/v1/accounts/{id}/erasures/{erasure}", Auth::kSession, max_json_body,
             [&closures, &receipts](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(
                   ErasureRecord e,
                   closures.Receipt(c.customer().id, req.Param("id"), req.Param("erasure")));
               return HttpResponse::Json(200, receipts.Seal(e));
             });
  router.Add("DELETE", "/v1/me", Auth::kSession, max_json_body,
             [&closures, &receipts](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(CustomerClosure closure,
                                      closures.CloseCustomer(c.customer().id, OriginOf(req)));
               boost::json::array erasures;
               for (const ErasureRecord& e : closure.erasures) erasures.push_back(receipts.Seal(e));
               return HttpResponse::Json(
                   202, boost::json::object{{"closed_at", FormatRfc3339(closure.closed_ms)},
                                            {"erasures", std::move(erasures)}});
             });
}

}  // namespace lethe
