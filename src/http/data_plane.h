// DataPlane: authentication and usage accounting for the API that an
// account's own apps call (ACC-2, USE-1). A credential is the account's
// API token (Bearer) or an API key (Basic key_id:secret). Every request
// whose credential checks out is recorded as a usage event, whatever its
// outcome, with the end user it names (`end_user` query parameter or the
// `Lethe-End-User` header, unless the handler names one itself).
#pragma once

#include <functional>

#include "domain/accounts.h"
#include "domain/usage_ledger.h"
#include "http/exchange.h"

namespace lethe {

class DataPlane {
 public:
  DataPlane(Accounts& accounts, UsageLedger& usage) : accounts_(accounts), usage_(usage) {}

  using AuthedHandler = std::function<HttpResponse(HttpRequest&, const Principal&)>;
  using AuthedUpload = std::function<UploadStart(HttpRequest&, const Principal&)>;

  Handler Wrap(AuthedHandler fn);
  UploadHandler WrapUpload(AuthedUpload fn);

  // The principal behind the request's credentials; Unauthenticated when
  // they are missing, malformed, unknown or revoked.
  Result<Principal> Authenticate(const HttpRequest& req);

  // Arms usage recording for `req`, made by `who`, for routes that
  // authenticate in their own way (signed media links). Returns
  // InvalidArgument("invalid-field") when the named end user is not short
  // UTF-8 text; the request is then recorded without one.
  Status Meter(HttpRequest& req, const Principal& who);

 private:
  Accounts& accounts_;
  UsageLedger& usage_;
};

}  // namespace lethe
