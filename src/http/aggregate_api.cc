#include "http/aggregate_api.h"

#include <boost/json.hpp>
#include <charconv>
#include <set>

#include "http/api_support.h"

namespace lethe {
namespace {

using boost::json::array;
using boost::json::object;

constexpr const char* kDimensions[] = {"country", "browser", "day"};

array CellsView(const std::vector<AggregateCell>& cells) {
  array out;
  for (const AggregateCell& c : cells)
    out.push_back(object{{"value", c.value}, {"events", c.events}});
  return out;
}

object DimensionView(const AggregateDimension& d) {
  return {{"cells", CellsView(d.cells)}, {"other", d.other}};
}

Result<std::set<std::string>> ParseDimensions(const HttpRequest& req) {
  std::set<std::string> out;
  auto raw = req.Query("dimensions");
  if (!raw) return std::set<std::string>(std::begin(kDimensions), std::end(kDimensions));
  std::string_view rest = *raw;
  while (true) {
    size_t comma = rest.find(',');
    std::string one(rest.substr(0, comma));
    if (std::find(std::begin(kDimensions), std::end(kDimensions), one) == std::end(kDimensions)) {
      return Status::InvalidArgument(
          "invalid-field", "dimensions are a comma-separated list of country, browser, day");
    }
    out.insert(one);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

Result<int> ParseK(const HttpRequest& req) {
  auto raw = req.Query("k");
  if (!raw) return UsageAggregates::kDefaultK;
  int k = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), k);
  if (raw->empty() || ec != std::errc() || end != raw->data() + raw->size()) {
    return Status::InvalidArgument("invalid-field", "k must be a whole number, at least 2");
  }
  return k;
}

Result<HttpResponse> Aggregates(UsageAggregates& aggregates, HttpRequest& req, const Caller& c) {
  AggregateQuery q;
  LETHE_ASSIGN_OR_RETURN(q.k, ParseK(req));
  q.from = req.Query("from").value_or("");
  q.to = req.Query("to").value_or("");
  LETHE_ASSIGN_OR_RETURN(std::set<std::string> dims, ParseDimensions(req));
  LETHE_ASSIGN_OR_RETURN(UsageAggregate a, aggregates.For(c.customer().id, req.Param("id"), q));
  object body{{"from", a.from}, {"to", a.to}, {"k", a.k}, {"events", a.events}};
  if (dims.contains("country")) body["by_country"] = DimensionView(a.by_country);
  if (dims.contains("browser")) body["by_browser"] = DimensionView(a.by_browser);
  if (dims.contains("day")) body["by_day"] = CellsView(a.by_day);
  return HttpResponse::Json(200, body);
}

}  // namespace

void AddAggregateRoutes(Router& router, UsageAggregates& aggregates, uint64_t max_json_body) {
  router.Add(
      "GET", "/v1/accounts/{id}/aggregates", Auth::kSession, max_json_body,
      [&aggregates](HttpRequest& req, const Caller& c) { return Aggregates(aggregates, req, c); });
}

}  // namespace lethe
