#include "http/disclosure_api.h"

#include "common/time_format.h"
#include "http/api_support.h"

namespace lethe {
namespace {

using boost::json::object;

object DisclosureView(const DisclosureRecord& d) {
  return object{{"id", d.id},
                {"recipient", d.recipient},
                {"recipient_kind", d.recipient_kind},
                {"purpose", d.purpose},
                {"legal_basis", d.legal_basis},
                {"categories", d.categories},
                {"subject", d.subject},
                {"what", d.what},
                {"reference", d.reference},
                {"at", FormatRfc3339(d.at_ms)}};
}

}  // namespace

void AddDisclosureRoutes(Router& router, DisclosureLedger& ledger, MetadataStore& store,
                         uint64_t max_json_body) {
  router.Add("GET", "/v1/accounts/{id}/disclosures", Auth::kSession, max_json_body,
             [&ledger, &store](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(int limit, PageLimit(req, 100, DisclosureLedger::kMaxPage));
               LETHE_ASSIGN_OR_RETURN(DisclosurePage page,
                                      ledger.List(store, c.customer().id, req.Param("id"),
                                                  req.Query("cursor").value_or(""), limit));
               boost::json::array items;
               for (const DisclosureRecord& d : page.items) items.push_back(DisclosureView(d));
               object body{{"items", std::move(items)}};
               body["next"] =
                   page.next.empty() ? boost::json::value(nullptr) : boost::json::value(page.next);
               return HttpResponse::Json(200, body);
             });
}

}  // namespace lethe
