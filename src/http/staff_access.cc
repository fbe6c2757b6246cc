#include "http/staff_access.h"

#include <boost/json.hpp>

namespace lethe {
namespace {

// Short on purpose: each entry is a staff route that reads or changes no
// customer's or account's data. Everything else needs a grant.
constexpr NoCustomerDataRoute kNoCustomerData[] = {
    {"DELETE", "/v1/staff/sessions", "signs the staff member out"},
    {"GET", "/v1/staff/portal/session", "the staff member's own session, for the console"},
    {"POST", "/v1/staff/grants",
     "makes a grant for the caller; opens nothing by itself and is logged for the customer"},
    {"GET", "/v1/staff/grants", "lists the caller's own grants"},
    {"DELETE", "/v1/staff/grants/{id}", "revokes a grant: it only narrows access"},
    {"POST", "/v1/staff/subprocessors", "the sub-processor registry is the operator's own"},
    {"PATCH", "/v1/staff/subprocessors/{id}", "the sub-processor registry is the operator's own"},
    {"POST", "/v1/staff/subprocessors/{id}/retire",
     "the sub-processor registry is the operator's own"},
    {"GET", "/v1/staff/appeals",
     "the review queue: appeal, decision and account ids and times, no statement or signal"},
    {"POST", "/v1/staff/marketing",
     "queues one text to every consenting customer; the staff member sees no one's data"},
    {"POST", "/v1/staff/me/passkeys/options", "the staff member's own passkeys"},
    {"POST", "/v1/staff/me/passkeys", "the staff member's own passkeys"},
    {"GET", "/v1/staff/me/passkeys", "the staff member's own passkeys"},
    {"DELETE", "/v1/staff/me/passkeys/{id}", "the staff member's own passkeys"},
};

Status Missing(const std::string& what) {
  return Status::InvalidArgument("invalid-field", what + " is required");
}

}  // namespace

AccountFrom AccountFrom::PathParam(std::string name) {
  return AccountFrom(Kind::kPathParam, std::move(name));
}
AccountFrom AccountFrom::BodyField(std::string name) {
  return AccountFrom(Kind::kBodyField, std::move(name));
}
AccountFrom AccountFrom::QueryParam(std::string name) {
  return AccountFrom(Kind::kQueryParam, std::move(name));
}
AccountFrom AccountFrom::Record(std::string param, std::string record, Resolver resolve) {
  AccountFrom from(Kind::kRecord, std::move(param));
  from.record_ = std::move(record);
  from.resolve_ = std::move(resolve);
  return from;
}

Result<std::string> AccountFrom::Find(const HttpRequest& req) const {
  switch (kind_) {
    case Kind::kPathParam: {
      auto it = req.params.find(name_);
      if (it == req.params.end() || it->second.empty()) return Missing(name_);
      return it->second;
    }
    case Kind::kQueryParam: {
      auto q = req.Query(name_);
      if (!q || q->empty()) return Missing(name_);
      return *q;
    }
    case Kind::kBodyField: {
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(req.body, ec);
      if (ec || !v.is_object()) return Missing(name_);
      const boost::json::value* field = v.as_object().if_contains(name_);
      if (!field || !field->is_string() || field->as_string().empty()) return Missing(name_);
      return std::string(field->as_string());
    }
    case Kind::kRecord: {
      auto it = req.params.find(name_);
      if (it == req.params.end() || it->second.empty()) return Missing(name_);
      return resolve_(it->second);
    }
  }
  return Status::Internal("unknown account source");
}

std::string AccountFrom::Describe() const {
  switch (kind_) {
    case Kind::kPathParam:
      return "path:" + name_;
    case Kind::kBodyField:
      return "body:" + name_;
    case Kind::kQueryParam:
      return "query:" + name_;
    case Kind::kRecord:
      return "record:" + record_ + ":" + name_;
  }
  return "";
}

std::span<const NoCustomerDataRoute> NoCustomerDataRoutes() { return kNoCustomerData; }

bool IsNoCustomerDataRoute(std::string_view method, std::string_view pattern) {
  for (const NoCustomerDataRoute& r : kNoCustomerData) {
    if (r.method == method && r.pattern == pattern) return true;
  }
  return false;
}

}  // namespace lethe
