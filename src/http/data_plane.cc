#include "http/data_plane.h"

#include <iostream>

#include "common/utf8.h"
#include "http/api_support.h"

namespace lethe {

Result<Principal> DataPlane::Authenticate(const HttpRequest& req) {
  if (auto token = BearerToken(req)) return accounts_.AuthenticateToken(*token);
  auto basic = BasicCredentials(req);
  if (basic.ok()) return accounts_.AuthenticateKey(basic->first, basic->second);
  if (basic.status().code() != Status::Code::kNotFound) return basic.status();
  return Status::Unauthenticated("an API token or key is required");
}

Status DataPlane::Meter(HttpRequest& req, const Principal& who) {
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
  req.on_finished = [this, &req, who](int status) {
    Status st = usage_.Record(who, req.end_user, OriginOf(req), req.method, req.route, status);
    // Logged by request id only: nothing personal.
    if (!st.ok()) std::cerr << "lethe: usage event not queued for " << req.request_id << "\n";
  };
  return named;
}

Handler DataPlane::Wrap(AuthedHandler fn) {
  return [this, fn = std::move(fn)](HttpRequest& req) {
    auto who = Authenticate(req);
    if (!who.ok()) return Fail(who.status(), req);
    if (Status st = Meter(req, *who); !st.ok()) return Fail(st, req);
    return fn(req, *who);
  };
}

UploadHandler DataPlane::WrapUpload(AuthedUpload fn) {
  return [this, fn = std::move(fn)](HttpRequest& req) -> UploadStart {
    auto who = Authenticate(req);
    if (!who.ok()) return Fail(who.status(), req);
    if (Status st = Meter(req, *who); !st.ok()) return Fail(st, req);
    return fn(req, *who);
  };
}

}  // namespace lethe
