#include "http/subprocessor_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"

namespace lethe {
namespace {

using boost::json::object;

boost::json::array Categories(const std::string& csv) {
  boost::json::array out;
  size_t pos = 0;
  while (!csv.empty() && pos <= csv.size()) {
    size_t comma = csv.find(',', pos);
    if (comma == std::string::npos) comma = csv.size();
    out.emplace_back(csv.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

object VersionView(const SubprocessorRecord& s) {
  return object{{"id", s.id},
                {"version", s.version},
                {"name", s.name},
                {"purpose", s.purpose},
                {"region", s.region},
                {"categories", Categories(s.categories)},
                {"retired", s.retired},
                {"announced_at", FormatRfc3339(s.announced_ms)},
                {"effective_at", FormatRfc3339(s.effective_ms)}};
}

object EntryView(const SubprocessorEntry& e) {
  if (!e.current) {
    object view = VersionView(*e.upcoming);
    view["status"] = "announced";
    view["upcoming"] = nullptr;
    return view;
  }
  object view = VersionView(*e.current);
  view["status"] = "in_force";
  view["upcoming"] = e.upcoming ? boost::json::value(VersionView(*e.upcoming)) : nullptr;
  return view;
}

Result<SubprocessorForm> FormOf(HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"name", "purpose", "region", "categories",
                                                         "endpoint", "effective_at"}));
  SubprocessorForm form;
  LETHE_ASSIGN_OR_RETURN(form.name, body.Optional("name"));
  LETHE_ASSIGN_OR_RETURN(form.purpose, body.Optional("purpose"));
  LETHE_ASSIGN_OR_RETURN(form.region, body.Optional("region"));
  LETHE_ASSIGN_OR_RETURN(form.categories, body.OptionalStrings("categories"));
  LETHE_ASSIGN_OR_RETURN(form.endpoint, body.Optional("endpoint"));
  LETHE_ASSIGN_OR_RETURN(auto effective, body.Optional("effective_at"));
  if (effective) {
    form.effective_ms = ParseRfc3339(*effective);
    if (!form.effective_ms) {
      return Status::InvalidArgument("invalid-field", "effective_at must be an RFC 3339 time");
    }
  }
  return form;
}

}  // namespace

void AddSubprocessorRoutes(Router& router, SubProcessors& registry, uint64_t max_json_body) {
  router.Add("GET", "/v1/subprocessors", Auth::kNone, max_json_body,
             [&registry](HttpRequest&, const Caller&) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(auto entries, registry.List());
               boost::json::array items;
               for (const SubprocessorEntry& e : entries) items.push_back(EntryView(e));
               return HttpResponse::Json(200, object{{"subprocessors", std::move(items)}});
             });
  const StaffRoles kAdmin{StaffRole::kAdmin};
  router.AddStaff("POST", "/v1/staff/subprocessors", kAdmin, StaffAccess::NoCustomerData(),
                  max_json_body,
                  [&registry](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
                    LETHE_ASSIGN_OR_RETURN(SubprocessorForm form, FormOf(req));
                    if (!form.name || !form.purpose || !form.region || !form.categories) {
                      return Status::InvalidArgument(
                          "invalid-field", "name, purpose, region and categories are required");
                    }
                    LETHE_ASSIGN_OR_RETURN(SubprocessorRecord s,
                                           registry.Register(c.actor(), form, OriginOf(req)));
                    HttpResponse r = HttpResponse::Json(201, VersionView(s));
                    r.SetHeader("Location", "/v1/subprocessors");
                    return r;
                  });
  router.AddStaff(
      "PATCH", "/v1/staff/subprocessors/{id}", kAdmin, StaffAccess::NoCustomerData(), max_json_body,
      [&registry](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_ASSIGN_OR_RETURN(SubprocessorForm form, FormOf(req));
        LETHE_ASSIGN_OR_RETURN(SubprocessorRecord s,
                               registry.Change(c.actor(), req.Param("id"), form, OriginOf(req)));
        return HttpResponse::Json(200, VersionView(s));
      });
  router.AddStaff(
      "POST", "/v1/staff/subprocessors/{id}/retire", kAdmin, StaffAccess::NoCustomerData(),
      max_json_body, [&registry](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_ASSIGN_OR_RETURN(SubprocessorRecord s,
                               registry.Retire(c.actor(), req.Param("id"), OriginOf(req)));
        return HttpResponse::Json(200, VersionView(s));
      });
}

}  // namespace lethe
