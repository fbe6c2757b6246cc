// JsonFields: a request body parsed as one JSON object, with typed access
// that turns every shape problem into a clear problem type:
// invalid-json (not JSON, or not an object), unknown-field (a field the
// endpoint does not take) and invalid-field (missing or wrongly typed).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lethe {

class JsonFields {
 public:
  // Parses `body`; refuses any field not in `allowed`. An empty body is
  // invalid-json: callers whose body is optional check for one first.
  static Result<JsonFields> Parse(std::string_view body,
                                  std::initializer_list<std::string_view> allowed);

  bool Has(std::string_view name) const { return object_.contains(name); }
  // A string field that must be present.
  Result<std::string> Required(std::string_view name) const;
  // A string field that may be absent or null.
  Result<std::optional<std::string>> Optional(std::string_view name) const;
  // An array of strings that may be absent or null.
  Result<std::optional<std::vector<std::string>>> OptionalStrings(std::string_view name) const;
  // An integer that may be absent or null.
  Result<std::optional<int64_t>> OptionalInt(std::string_view name) const;
  // A boolean that may be absent or null.
  Result<std::optional<bool>> OptionalBool(std::string_view name) const;

 private:
  explicit JsonFields(boost::json::object o) : object_(std::move(o)) {}
  boost::json::object object_;
};

}  // namespace lethe
