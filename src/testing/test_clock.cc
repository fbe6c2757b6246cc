#include "testing/test_clock.h"

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/router.h"

namespace lethe {

void AddTestClockRoutes(Router& router, OffsetClock& clock) {
  router.Add("POST", "/_test/clock", Auth::kNone, 4096,
             [&clock](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(auto body, JsonBody(req, {"advance_seconds"}));
               LETHE_ASSIGN_OR_RETURN(auto secs, body.OptionalInt("advance_seconds"));
               if (!secs || *secs < 0 || *secs > kMaxClockAdvanceSeconds) {
                 return Status::InvalidArgument("invalid-field",
                                                "advance_seconds must be 0 to 3162240000");
               }
               clock.Advance(*secs * 1000);
               return HttpResponse::Json(
                   200, boost::json::object{{"now", FormatRfc3339(clock.NowMillis())},
                                            {"offset_seconds", clock.offset_millis() / 1000}});
             });
}

}  // namespace lethe
