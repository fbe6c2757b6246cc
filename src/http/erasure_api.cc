#include "http/erasure_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"

namespace lethe {
namespace {

// The erasure as the customer sees it: never the end-user reference.
boost::json::object ErasureView(const ErasureRecord& e) {
  return {{"id", e.id},
          {"state", e.state},
          {"media_erased", e.media_erased},
          {"usage_events_deidentified", e.usage_deidentified},
          {"requested_at", FormatRfc3339(e.created_ms)},
          {"keys_destroyed_at", OptionalTime(e.keys_destroyed_ms)},
          {"purged_at", OptionalTime(e.purged_ms)}};
}

}  // namespace

void AddErasureRoutes(Router& router, Erasures& erasures, uint64_t max_json_body) {
  router.Add("DELETE", "/v1/end-users/{ref}", Auth::kDataPlane, max_json_body,
             [&erasures](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               // The usage event of this request must not name whom it erased.
               req.end_user.clear();
               LETHE_ASSIGN_OR_RETURN(
                   ErasureRecord e,
                   erasures.EraseEndUser(c.principal(), req.Param("ref"), OriginOf(req)));
               HttpResponse r = HttpResponse::Json(202, ErasureView(e));
               r.SetHeader("Location", "/v1/erasures/" + e.id);
               return r;
             });
  router.Add("GET", "/v1/erasures/{id}", Auth::kDataPlane, max_json_body,
             [&erasures](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(ErasureRecord e,
                                      erasures.Get(c.principal().account.id, req.Param("id")));
               return HttpResponse::Json(200, ErasureView(e));
             });
}

}  // namespace lethe
