#include "http/json_body.h"

#include <boost/json.hpp>

namespace lethe {
namespace {

Status InvalidField(std::string_view name, std::string_view want) {
  return Status::InvalidArgument(
      "invalid-field", "field \"" + std::string(name) + "\" must be " + std::string(want));
}

}  // namespace

Result<JsonFields> JsonFields::Parse(std::string_view body,
                                     std::initializer_list<std::string_view> allowed) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::InvalidArgument("invalid-json", "a JSON object body is required");
  }
  boost::json::parse_options opts;
  opts.max_depth = 16;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec, {}, opts);
  if (ec) return Status::InvalidArgument("invalid-json", "body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Status::InvalidArgument("invalid-json", "body must be a JSON object");
  for (const auto& kv : v.as_object()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || kv.key() == a;
    if (!known) {
      // Name the field only if it is short and printable: it is echoed back.
      std::string key(kv.key().substr(0, 64));
      for (char& c : key) {
        if (static_cast<unsigned char>(c) < 0x20 || c == '"') c = '?';
      }
      return Status::InvalidArgument("unknown-field", "unknown field \"" + key + "\"");
    }
  }
  return JsonFields(std::move(v.as_object()));
}

Result<std::string> JsonFields::Required(std::string_view name) const {
  const boost::json::value* v = object_.if_contains(name);
  if (!v || v->is_null()) return InvalidField(name, "present");
  if (!v->is_string()) return InvalidField(name, "a string");
  return std::string(v->as_string());
}

Result<std::optional<std::string>> JsonFields::Optional(std::string_view name) const {
  const boost::json::value* v = object_.if_contains(name);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return InvalidField(name, "a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

Result<std::optional<std::vector<std::string>>> JsonFields::OptionalStrings(
    std::string_view name) const {
  const boost::json::value* v = object_.if_contains(name);
  if (!v || v->is_null()) return std::optional<std::vector<std::string>>();
  if (!v->is_array()) return InvalidField(name, "an array of strings");
  std::vector<std::string> out;
  for (const auto& item : v->as_array()) {
    if (!item.is_string()) return InvalidField(name, "an array of strings");
    out.emplace_back(item.as_string());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::optional<int64_t>> JsonFields::OptionalInt(std::string_view name) const {
  const boost::json::value* v = object_.if_contains(name);
  if (!v || v->is_null()) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->as_int64());
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) {
    return std::optional<int64_t>(static_cast<int64_t>(v->as_uint64()));
  }
  return InvalidField(name, "an integer");
}

Result<std::optional<bool>> JsonFields::OptionalBool(std::string_view name) const {
  const boost::json::value* v = object_.if_contains(name);
  if (!v || v->is_null()) return std::optional<bool>();
  if (v->is_bool()) return std::optional<bool>(v->as_bool());
  return InvalidField(name, "true or false");
}

}  // namespace lethe
