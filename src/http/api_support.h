// Shared pieces of the API handlers: credentials from headers, the request
// origin, cursors, and the JSON views of records. Views list their fields
// explicitly so a new column never leaks into a response by accident
// (secrets and digests are never among them).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <utility>

#include "common/status.h"
#include "domain/request_origin.h"
#include "http/exchange.h"
#include "http/json_body.h"
#include "ports/records.h"

namespace lethe {

// The origin of `req` (IP, parsed User-Agent and Accept-Language).
RequestOrigin OriginOf(const HttpRequest& req);

// The token of "Authorization: Bearer <token>", if that is the scheme.
std::optional<std::string> BearerToken(const HttpRequest& req);

// key id and secret of "Authorization: Basic base64(id:secret)".
// NotFound when the scheme is not Basic; Unauthenticated when malformed.
Result<std::pair<std::string, std::string>> BasicCredentials(const HttpRequest& req);

// The request body as a JSON object with only `allowed` fields. A body
// that is present must come as application/json (or +json), else 415.
Result<JsonFields> JsonBody(const HttpRequest& req,
                            std::initializer_list<std::string_view> allowed);

// Opaque pagination cursors over a store sequence number.
std::string EncodeCursor(int64_t seq);
// Returns InvalidArgument("bad-request") for a cursor this server did not make.
Result<int64_t> DecodeCursor(const std::string& cursor);
// The `limit` query parameter, default `def`, within 1..max.
Result<int> PageLimit(const HttpRequest& req, int def, int max);

// `limit` and `cursor` of a listing request.
struct PageRequest {
  int limit = 0;
  std::optional<int64_t> after_seq;
};
Result<PageRequest> PageParams(const HttpRequest& req, int def, int max);

// A time as RFC 3339, or JSON null when absent.
boost::json::value OptionalTime(const std::optional<int64_t>& ms);

boost::json::object CustomerView(const CustomerRecord& c);
boost::json::object AccountView(const AccountRecord& a);
boost::json::object ApiKeyView(const ApiKeyRecord& k);
boost::json::object AuditView(const AuditEvent& e);
boost::json::object UsageView(const UsageEvent& e);

}  // namespace lethe
