#include "http/exchange.h"

#include <boost/json.hpp>

namespace lethe {

const std::string& HttpRequest::Header(const std::string& lower_name) const {
  static const std::string kEmpty;
  auto it = headers.find(lower_name);
  return it == headers.end() ? kEmpty : it->second;
}

std::optional<std::string> HttpRequest::Query(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

HttpResponse HttpResponse::Json(int status, const boost::json::value& body) {
  HttpResponse r;
  r.status = status;
  r.body = boost::json::serialize(body);
  r.SetHeader("Content-Type", "application/json");
  return r;
}

HttpResponse HttpResponse::Empty(int status) {
  HttpResponse r;
  r.status = status;
  return r;
}

void HttpResponse::SetHeader(std::string name, std::string value) {
  for (auto& [n, v] : headers) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

}  // namespace lethe
