#include "http/erasure_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"

namespace lethe {

namespace {

HttpResponse Accepted(const ErasureReceipts& receipts, const ErasureRecord& e) {
  HttpResponse r = HttpResponse::Json(202, receipts.Seal(e));
  r.SetHeader("Location", "/v1/erasures/" + e.id);
  return r;
}

Result<HttpResponse> ListErasures(Erasures& erasures, HttpRequest& req, const Principal& who) {
  ErasureQuery q;
  q.account_id = who.account.id;
  auto media = req.Query("media");
  auto end_user = req.Query("end_user");
  if (media && end_user) {
    return Status::InvalidArgument("bad-request", "filter by media or by end_user, not both");
  }
  if (media) q.target = erasures.TargetOf("media", q.account_id, *media);
  if (end_user) q.target = erasures.TargetOf("end_user", q.account_id, *end_user);
  LETHE_ASSIGN_OR_RETURN(q.limit, PageLimit(req, 50, 100));
  if (auto cursor = req.Query("cursor")) {
    if (cursor->rfind("era_", 0) != 0 || cursor->size() > 64) {
      return Status::InvalidArgument("bad-request", "cursor is not one this server made");
    }
    q.before_id = *cursor;
  }
  LETHE_ASSIGN_OR_RETURN(auto list, erasures.List(q));
  boost::json::array items;
  for (const ErasureRecord& e : list) items.push_back(ErasureReceipts::Describe(e));
  boost::json::value next = nullptr;
  if (static_cast<int>(list.size()) == q.limit) next = list.back().id;
  return HttpResponse::Json(
      200, boost::json::object{{"erasures", std::move(items)}, {"next_cursor", next}});
}

}  // namespace

void AddErasureRoutes(Router& router, Erasures& erasures, const ErasureReceipts& receipts,
                      uint64_t max_json_body) {
  router.Add("DELETE", "/v1/end-users/{ref}", Auth::kDataPlane, max_json_body,
             [&erasures, &receipts](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               // The usage event of this request must not name whom it erased.
               req.end_user.clear();
               LETHE_ASSIGN_OR_RETURN(
                   ErasureRecord e,
                   erasures.EraseEndUser(c.principal(), req.Param("ref"), OriginOf(req)));
               return Accepted(receipts, e);
             });
  router.Add("DELETE", "/v1/media/{id}", Auth::kDataPlane, max_json_body,
             [&erasures, &receipts](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(
                   ErasureRecord e,
                   erasures.EraseMedia(c.principal(), req.Param("id"), OriginOf(req)));
               return Accepted(receipts, e);
             });
  router.Add("GET", "/v1/erasures/{id}", Auth::kDataPlane, max_json_body,
             [&erasures, &receipts](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(ErasureRecord e,
                                      erasures.Get(c.principal().account.id, req.Param("id")));
               return HttpResponse::Json(200, receipts.Seal(e));
             });
  router.Add("GET", "/v1/erasures", Auth::kDataPlane, max_json_body,
             [&erasures](HttpRequest& req, const Caller& c) {
               // Looking up an erased end user's receipt must not name them
               // again in this request's usage event.
               req.end_user.clear();
               return ListErasures(erasures, req, c.principal());
             });
}

}  // namespace lethe
