#include "http/data_plane.h"

#include <iostream>

#include "http/api_support.h"

namespace lethe {

Result<Principal> DataPlane::Authenticate(const HttpRequest& req) {
  if (auto token = BearerToken(req)) return accounts_.AuthenticateToken(*token);
  auto basic = BasicCredentials(req);
  if (basic.ok()) return accounts_.AuthenticateKey(basic->first, basic->second);
  if (basic.status().code() != Status::Code::kNotFound) return basic.status();
  return Status::Unauthenticated("an API token or key is required");
}

void DataPlane::Meter(HttpRequest& req, const Principal& who) {
  if (auto q = req.Query("end_user")) {
    req.end_user = *q;
  } else {
    req.end_user = req.Header("lethe-end-user");
  }
  req.on_finished = [this, &req, who](int status) {
    Status st = usage_.Record(who, req.end_user, OriginOf(req), req.method, req.route, status);
    // A lost usage event is logged by request id only: nothing personal.
    if (!st.ok()) std::cerr << "lethe: usage event lost for " << req.request_id << "\n";
  };
}

Handler DataPlane::Wrap(AuthedHandler fn) {
  return [this, fn = std::move(fn)](HttpRequest& req) {
    auto who = Authenticate(req);
    if (!who.ok()) return Fail(who.status(), req);
    Meter(req, *who);
    return fn(req, *who);
  };
}

UploadHandler DataPlane::WrapUpload(AuthedUpload fn) {
  return [this, fn = std::move(fn)](HttpRequest& req) -> UploadStart {
    auto who = Authenticate(req);
    if (!who.ok()) return Fail(who.status(), req);
    Meter(req, *who);
    return fn(req, *who);
  };
}

}  // namespace lethe
