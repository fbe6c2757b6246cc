#include "testing/test_clock.h"

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/router.h"

namespace lethe {

void AddTestClockRoutes(Router& router, OffsetClock& clock) {
  router.Add(
      "POST", "/_test/clock",
      [&clock](HttpRequest& req) {
        auto body = JsonBody(req, {"advance_seconds"});
        if (!body.ok()) return Fail(body.status(), req);
        auto secs = body->OptionalInt("advance_seconds");
        if (!secs.ok()) return Fail(secs.status(), req);
        if (!*secs || **secs < 0 || **secs > kMaxClockAdvanceSeconds) {
          return Fail(
              Status::InvalidArgument("invalid-field", "advance_seconds must be 0 to 3162240000"),
              req);
        }
        clock.Advance(**secs * 1000);
        return HttpResponse::Json(
            200, boost::json::object{{"now", FormatRfc3339(clock.NowMillis())},
                                     {"offset_seconds", clock.offset_millis() / 1000}});
      },
      4096);
}

}  // namespace lethe
