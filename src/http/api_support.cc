#include "http/api_support.h"

#include <boost/json.hpp>
#include <charconv>

#include "common/encoding.h"
#include "common/time_format.h"
#include "domain/actor.h"
#include "http/user_agent.h"

namespace lethe {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Case-insensitive "Scheme " prefix match; returns the credentials part.
std::optional<std::string_view> AfterScheme(std::string_view header, std::string_view scheme) {
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return std::nullopt;
  }
  return Trim(header.substr(scheme.size() + 1));
}

boost::json::value OptionalString(const std::optional<std::string>& s) {
  return s ? boost::json::value(*s) : boost::json::value(nullptr);
}

}  // namespace

boost::json::value OptionalTime(const std::optional<int64_t>& ms) {
  return ms ? boost::json::value(FormatRfc3339(*ms)) : boost::json::value(nullptr);
}

RequestOrigin OriginOf(const HttpRequest& req) {
  ClientInfo client = ParseClient(req.Header("user-agent"), req.Header("accept-language"));
  return RequestOrigin{req.request_id,         req.remote_ip,   client.device_type, client.browser,
                       client.browser_version, client.language, client.country};
}

std::optional<std::string> BearerToken(const HttpRequest& req) {
  auto token = AfterScheme(req.Header("authorization"), "bearer");
  if (!token || token->empty()) return std::nullopt;
  return std::string(*token);
}

Result<std::pair<std::string, std::string>> BasicCredentials(const HttpRequest& req) {
  auto encoded = AfterScheme(req.Header("authorization"), "basic");
  if (!encoded) return Status::NotFound("no basic credentials");
  auto decoded = Base64Decode(*encoded);
  if (!decoded) return Status::Unauthenticated("malformed basic credentials");
  std::string text(decoded->begin(), decoded->end());
  size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::Unauthenticated("basic credentials must be key_id:secret");
  }
  return std::make_pair(text.substr(0, colon), text.substr(colon + 1));
}

Result<JsonFields> JsonBody(const HttpRequest& req,
                            std::initializer_list<std::string_view> allowed) {
  if (!req.body.empty()) {
    std::string type = req.Header("content-type");
    type = type.substr(0, type.find(';'));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool json = type.empty() || type == "application/json" ||
                (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0);
    if (!json) {
      return Status::UnsupportedMedia("unsupported-media-type",
                                      "the body must be application/json");
    }
  }
  return JsonFields::Parse(req.body, allowed);
}

std::string EncodeCursor(int64_t seq) { return Base64UrlEncode("c1:" + std::to_string(seq)); }

Result<int64_t> DecodeCursor(const std::string& cursor) {
  auto bytes = Base64UrlDecode(cursor);
  Status bad = Status::InvalidArgument("bad-request", "cursor is not valid");
  if (!bytes) return bad;
  std::string text(bytes->begin(), bytes->end());
  if (text.rfind("c1:", 0) != 0) return bad;
  int64_t seq = 0;
  auto [ptr, ec] = std::from_chars(text.data() + 3, text.data() + text.size(), seq);
  if (ec != std::errc() || ptr != text.data() + text.size() || seq < 0) return bad;
  return seq;
}

Result<int> PageLimit(const HttpRequest& req, int def, int max) {
  auto raw = req.Query("limit");
  if (!raw) return def;
  int limit = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), limit);
  if (ec != std::errc() || ptr != raw->data() + raw->size() || limit < 1 || limit > max) {
    return Status::InvalidArgument("bad-request",
                                   "limit must be a number from 1 to " + std::to_string(max));
  }
  return limit;
}

Result<PageRequest> PageParams(const HttpRequest& req, int def, int max) {
  PageRequest page;
  LETHE_ASSIGN_OR_RETURN(page.limit, PageLimit(req, def, max));
  if (auto cursor = req.Query("cursor")) {
    LETHE_ASSIGN_OR_RETURN(page.after_seq, DecodeCursor(*cursor));
  }
  return page;
}

boost::json::object CustomerView(const CustomerRecord& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"email", c.email},
          {"country", c.country},
          {"birth_date", c.birth_date},
          {"company", OptionalString(c.company)},
          {"job_title", OptionalString(c.job_title)},
          {"use_case", OptionalString(c.use_case)},
          {"phone", OptionalString(c.phone)},
          {"created_at", FormatRfc3339(c.created_ms)}};
}

boost::json::object AccountView(const AccountRecord& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"region", a.region},
          {"retention_days", a.retention_days ? boost::json::value(*a.retention_days) : nullptr},
          {"closed_at", OptionalTime(a.closed_ms)},
          {"created_at", FormatRfc3339(a.created_ms)}};
}

boost::json::object ApiKeyView(const ApiKeyRecord& k) {
  return {{"key_id", k.id},
          {"created_at", FormatRfc3339(k.created_ms)},
          {"last_used_at", OptionalTime(k.last_used_ms)},
          {"last_used_ip", k.last_used_ip.empty() ? boost::json::value(nullptr)
                                                  : boost::json::value(k.last_used_ip)}};
}

boost::json::object AuditView(const AuditEvent& e) {
  return {{"seq", e.seq},
          {"id", e.id},
          {"time", FormatRfc3339(e.time_ms)},
          {"actor", e.actor},
          {"actor_kind", Actor::FromAuditText(e.actor).kind_name()},
          {"action", e.action},
          {"target", e.target},
          {"ip", e.ip},
          {"request_id", e.request_id},
          {"prev_hash", e.prev_hash},
          {"hash", e.hash}};
}

boost::json::object UsageView(const UsageEvent& e) {
  return {{"id", e.id},
          {"time", FormatRfc3339(e.time_ms)},
          {"account_id", e.account_id},
          {"credential_id", e.credential_id},
          {"end_user",
           e.end_user.empty() ? boost::json::value(nullptr) : boost::json::value(e.end_user)},
          {"ip", e.ip},
          {"device_type", e.device_type},
          {"browser", e.browser},
          {"browser_version", e.browser_version},
          {"language", e.language},
          {"country", e.country},
          {"method", e.method},
          {"route", e.route},
          {"status", e.status}};
}

}  // namespace lethe
