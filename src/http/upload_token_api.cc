#include "http/upload_token_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/json_body.h"

namespace lethe {
namespace {

using boost::json::object;

boost::json::array StringArray(const std::vector<std::string>& items) {
  boost::json::array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

// The token's view; `token` (the secret) only in the answer that issues it.
object UploadTokenView(const UploadTokenRecord& t) {
  return {{"id", t.id},
          {"end_user", t.end_user},
          {"max_bytes", t.max_bytes},
          {"kinds", StringArray(t.kinds)},
          {"title", t.title ? boost::json::value(*t.title) : boost::json::value(nullptr)},
          {"tags", t.tags ? boost::json::value(StringArray(*t.tags)) : boost::json::value(nullptr)},
          {"uses", t.uses_left},
          {"created_at", FormatRfc3339(t.created_ms)},
          {"expires_at", FormatRfc3339(t.expires_ms)}};
}

Result<UploadTokenSpec> ParseSpec(const HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"end_user", "expires_in", "max_bytes",
                                                         "kinds", "title", "tags", "uses"}));
  UploadTokenSpec spec;
  LETHE_ASSIGN_OR_RETURN(spec.end_user, body.Required("end_user"));
  LETHE_ASSIGN_OR_RETURN(spec.expires_in_s, body.OptionalInt("expires_in"));
  LETHE_ASSIGN_OR_RETURN(spec.max_bytes, body.OptionalInt("max_bytes"));
  LETHE_ASSIGN_OR_RETURN(spec.kinds, body.OptionalStrings("kinds"));
  LETHE_ASSIGN_OR_RETURN(spec.title, body.Optional("title"));
  LETHE_ASSIGN_OR_RETURN(spec.tags, body.OptionalStrings("tags"));
  LETHE_ASSIGN_OR_RETURN(spec.uses, body.OptionalInt("uses"));
  return spec;
}

HttpResponse Issued(const IssuedUploadToken& issued) {
  object view = UploadTokenView(issued.record);
  view["token"] = issued.token;
  HttpResponse r = HttpResponse::Json(201, view);
  // The secret must not sit in a cache.
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

Result<HttpResponse> IssueToken(UploadTokens& tokens, HttpRequest& req, const Principal& who) {
  LETHE_ASSIGN_OR_RETURN(UploadTokenSpec spec, ParseSpec(req));
  LETHE_ASSIGN_OR_RETURN(IssuedUploadToken issued, tokens.Issue(who, spec, OriginOf(req)));
  req.end_user = issued.record.end_user;
  return Issued(issued);
}

// The portal's routes (issue 15): a customer manages its accounts' tokens
// with its session; the account must be its own (else 404).
void AddSessionRoutes(Router& router, UploadTokens& tokens, Accounts& accounts,
                      uint64_t max_json_body) {
  router.Add("GET", "/v1/accounts/{id}/upload-tokens", Auth::kSession, max_json_body,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(AccountRecord account,
                                      accounts.Get(c.customer().id, req.Param("id")));
               LETHE_ASSIGN_OR_RETURN(auto list, tokens.List(account.id));
               boost::json::array out;
               for (const UploadTokenRecord& t : list) out.push_back(UploadTokenView(t));
               return HttpResponse::Json(200, object{{"upload_tokens", std::move(out)}});
             });
  router.Add("POST", "/v1/accounts/{id}/upload-tokens", Auth::kSession, max_json_body,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(AccountRecord account,
                                      accounts.Get(c.customer().id, req.Param("id")));
               LETHE_ASSIGN_OR_RETURN(UploadTokenSpec spec, ParseSpec(req));
               LETHE_ASSIGN_OR_RETURN(IssuedUploadToken issued,
                                      tokens.Issue(account, c.actor(), spec, OriginOf(req)));
               return Issued(issued);
             });
  router.Add("DELETE", "/v1/accounts/{id}/upload-tokens/{token_id}", Auth::kSession, max_json_body,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(AccountRecord account,
                                      accounts.Get(c.customer().id, req.Param("id")));
               LETHE_RETURN_IF_ERROR(
                   tokens.Revoke(account.id, c.actor(), req.Param("token_id"), OriginOf(req)));
               return HttpResponse::Empty(204);
             });
}

}  // namespace

void AddUploadTokenRoutes(Router& router, UploadTokens& tokens, Accounts& accounts,
                          uint64_t max_json_body) {
  AddSessionRoutes(router, tokens, accounts, max_json_body);
  router.Add("POST", "/v1/upload-tokens", Auth::kDataPlane, max_json_body,
             [&tokens](HttpRequest& req, const Caller& c) {
               return IssueToken(tokens, req, c.principal());
             });
  router.Add("DELETE", "/v1/upload-tokens/{id}", Auth::kDataPlane, max_json_body,
             [&tokens](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_RETURN_IF_ERROR(tokens.Revoke(c.principal(), req.Param("id"), OriginOf(req)));
               return HttpResponse::Empty(204);
             });
}

}  // namespace lethe
